using IrTrail.Core.Query;

namespace IrTrail.Tests.Engine;

/// <summary>The SQL text handling both engines share: literals, comments and quoted names are left alone.</summary>
public class SqlTextTests
{
    [Fact]
    public void Placeholders_become_question_marks_in_order_outside_literals_and_comments()
    {
        var (sql, names) = SqlText.Placeholders("SELECT \"{{A}}\" FROM t -- {{B}}\nWHERE x = {{ A }} AND y LIKE '%' || {{B}} /* {{C}} */");
        Assert.Equal(["A", "B"], names);
        Assert.Equal("SELECT \"{{A}}\" FROM t -- {{B}}\nWHERE x = ? AND y LIKE '%' || ? /* {{C}} */", sql);
        Assert.Throws<FormatException>(() => SqlText.Placeholders("SELECT 'it''s {{A}}'"));
    }

    [Fact]
    public void The_talks_table_placeholder_is_the_relation_but_not_inside_a_literal()
    {
        Assert.Equal("SELECT '<<table>>' FROM cloudtrail", SqlText.ReplaceTablePlaceholder("SELECT '<<table>>' FROM << TABLE >>"));
    }

    [Theory]
    [InlineData("SELECT 1", 1)]
    [InlineData("SELECT 1;", 1)]
    [InlineData("SELECT ';' ; -- ;\n SELECT 2", 2)]
    [InlineData(" ; ; ", 0)]
    [InlineData("SELECT 1; COPY t TO 'x'", 2)]
    public void Statements_are_counted_outside_literals_and_comments(string sql, int count) => Assert.Equal(count, SqlText.StatementCount(sql));

    [Theory]
    [InlineData("  -- a comment\n /* another */ (SELECT 1)", "SELECT")]
    [InlineData("copy t to 'x'", "COPY")]
    [InlineData("'x'", "")]
    public void First_keyword_skips_comments(string sql, string keyword) => Assert.Equal(keyword, SqlText.FirstKeyword(sql));

    [Fact]
    public void Ctes_go_in_front_or_join_the_querys_own_list()
    {
        (string, string)[] ctes = [("cloudtrail", "SELECT * FROM t"), ("ev", "SELECT a FROM cloudtrail")];
        Assert.Equal("WITH cloudtrail AS (SELECT * FROM t), ev AS (SELECT a FROM cloudtrail) SELECT * FROM ev", SqlText.WithCtes("SELECT * FROM ev", ctes));
        Assert.Equal("-- c\nWITH cloudtrail AS (SELECT * FROM t), ev AS (SELECT a FROM cloudtrail), x AS (SELECT 1) SELECT * FROM x",
            SqlText.WithCtes("-- c\nWITH x AS (SELECT 1) SELECT * FROM x", ctes));
        Assert.Equal("SELECT 'WITH x'", SqlText.WithCtes("SELECT 'WITH x'", []));
    }
}
