using Lever.Lab.Datasets.Email;
using System.Text;

namespace Lever.Lab.Tests;

public sealed class EmailParserTests
{
    private static EmailMessage Parse(string text, Encoding? encoding = null) => EmailParser.Parse((encoding ?? Encoding.Latin1).GetBytes(text));

    [Fact]
    public void Mbox_line_is_skipped_and_folded_headers_are_unfolded()
    {
        var m = Parse("From someone@example.com  Thu Aug 22 12:36:23 2002\nSubject: a long\n  folded subject\nFrom: Ann <ann@example.com>\n\nHello there.\n");
        Assert.Equal("a long folded subject", m.Subject);
        Assert.Equal("Ann <ann@example.com>", m.From);
        Assert.Equal("Hello there.", m.Body);
    }

    [Fact]
    public void Encoded_words_in_headers_are_decoded_and_adjacent_words_joined()
    {
        // RFC 2047 §8 examples: whitespace between adjacent encoded words is dropped; Q uses '_' for space.
        var m = Parse("Subject: =?ISO-8859-1?Q?a_caf=E9?= =?UTF-8?B?w6A=?= tail\nFrom: =?iso-8859-1?q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\n\nx");
        Assert.Equal("a caféà tail", m.Subject);
        Assert.Equal("André Pirard <PIRARD@vm1.ulg.ac.be>", m.From);
    }

    [Fact]
    public void Quoted_printable_body_with_soft_breaks_and_latin1_charset()
    {
        var m = Parse("Content-Type: text/plain; charset=\"iso-8859-1\"\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9 au lait, tr=\nes bon =3D good\n");
        Assert.Equal("Café au lait, tres bon = good", m.Body);
    }

    [Fact]
    public void Base64_utf8_body_is_decoded_across_line_breaks()
    {
        var text = "Grüße aus Köln — ünïcödé text that is long enough to wrap the base64 over several lines of output.";
        var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(text), Base64FormattingOptions.InsertLineBreaks);
        var m = Parse($"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{b64}\r\n");
        Assert.Equal(text, m.Body);
    }

    [Fact]
    public void Windows_1252_smart_quotes_are_decoded()
    {
        var head = Encoding.Latin1.GetBytes("Content-Type: text/plain; charset=windows-1252\n\n");
        byte[] body = [0x93, (byte)'h', (byte)'i', 0x94, (byte)' ', 0x80, (byte)'5'];
        Assert.Equal("\u201Chi\u201D \u20AC5", EmailParser.Parse([.. head, .. body]).Body);
    }

    [Fact]
    public void Mislabelled_us_ascii_with_8bit_bytes_falls_back_to_1252_and_valid_utf8_is_kept()
    {
        var latin = EmailParser.Parse([.. Encoding.Latin1.GetBytes("Content-Type: text/plain; charset=us-ascii\n\nna"), 0xEF, (byte)'v', (byte)'e']);
        Assert.Equal("naïve", latin.Body);
        var utf8 = EmailParser.Parse(Encoding.UTF8.GetBytes("Subject: x\n\nnaïve"));
        Assert.Equal("naïve", utf8.Body);
    }

    [Fact]
    public void Multipart_alternative_prefers_plain_text()
    {
        var m = Parse("""
            Content-Type: multipart/alternative; boundary="b1"

            preamble is ignored
            --b1
            Content-Type: text/html

            <p>HTML version</p>
            --b1
            Content-Type: text/plain

            Plain version
            --b1--
            epilogue is ignored
            """);
        Assert.Equal("Plain version", m.Body);
    }

    [Fact]
    public void Html_only_mail_becomes_text_with_entities_decoded_and_scripts_dropped()
    {
        var m = Parse("""
            Content-Type: multipart/alternative; boundary=XX

            --XX
            Content-Type: text/html; charset=us-ascii
            Content-Transfer-Encoding: quoted-printable

            <html><head><title>Deal</title><style>p{color:red}</style></head><body><script>var x=1;</script>=
            <p>Save &amp; win&nbsp;$100</p>Line one<br>Line two<table><tr><td>a</td><td>b</td></tr></table></body></html>
            --XX--
            """);
        Assert.Equal("Deal\n\nSave & win $100\nLine one\nLine two\n\na b", m.Body);
        Assert.DoesNotContain("color", m.Body);
        Assert.DoesNotContain("var x", m.Body);
    }

    [Fact]
    public void Mixed_multipart_keeps_text_parts_skips_binary_and_walks_nested_parts()
    {
        var png = Convert.ToBase64String(new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3 });
        var m = Parse($"""
            Subject: report
            Content-Type: multipart/mixed; boundary="outer"

            --outer
            Content-Type: multipart/alternative; boundary="inner"

            --inner
            Content-Type: text/plain

            See the attached chart.
            --inner--
            --outer
            Content-Type: image/png
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="chart.png"

            {png}
            --outer
            Content-Type: text/plain; name="notes.txt"

            Notes attached.
            --outer--
            """);
        Assert.Equal("See the attached chart.\nNotes attached.", m.Body);
    }

    [Fact]
    public void Html_sent_as_text_plain_is_still_turned_into_text()
    {
        var m = Parse("Subject: hi\n\n<HTML><BODY><FONT size=3>Click <A HREF=\"http://x\">here</A></FONT></BODY></HTML>\n");
        Assert.Equal("Click here", m.Body);
    }

    [Fact]
    public void Forwarded_message_rfc822_part_contributes_its_subject_and_body()
    {
        var m = Parse("""
            Content-Type: multipart/mixed; boundary=z

            --z
            Content-Type: text/plain

            FYI
            --z
            Content-Type: message/rfc822

            Subject: inner subject
            From: b@example.com

            inner body
            --z--
            """);
        Assert.Equal("FYI\ninner subject\ninner body", m.Body);
    }

    [Theory]
    [InlineData("Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: text/plain\n\ntruncated part without a closing delimiter", "truncated part without a closing delimiter")]
    [InlineData("Content-Type: multipart/mixed; boundary=q\n\nno boundary ever appears", "no boundary ever appears")]
    [InlineData("Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n@@@not base64 at all@@@", "notbase64atall")]
    [InlineData("Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nbad =ZZ escape and = alone", "bad =ZZ escape and = alone")]
    [InlineData("", "")]
    public void Malformed_mail_never_throws(string raw, string expectedBodyStart)
    {
        var m = Parse(raw);
        if (expectedBodyStart == "notbase64atall")
            Assert.NotNull(m.Body); // garbage in, some bytes out: the point is no exception
        else
            Assert.StartsWith(expectedBodyStart, m.Body);
    }

    [Fact]
    public void Headers_without_a_blank_line_leave_the_rest_as_body()
    {
        var m = Parse("Subject: no blank line\nthis line is body text\n");
        Assert.Equal("no blank line", m.Subject);
        Assert.Equal("this line is body text", m.Body);
    }

    [Fact]
    public void Model_text_is_subject_sender_body_and_cuts_long_bodies()
    {
        var m = new EmailMessage("s", "f", new string('x', 50));
        Assert.Equal("Subject: s\nFrom: f\n\n" + new string('x', 10), m.ToModelText(10));
    }
}
