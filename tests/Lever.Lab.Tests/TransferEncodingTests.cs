using System.Text;
using Lever.Lab.Datasets.Email.Internal;

namespace Lever.Lab.Tests;

public sealed class TransferEncodingTests
{
    [Fact]
    public void Base64_matches_the_BCL_encoder_for_every_length_and_ignores_line_breaks()
    {
        var rng = new Random(7);
        for (var n = 0; n < 200; n++)
        {
            var bytes = new byte[n];
            rng.NextBytes(bytes);
            var encoded = Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks);
            Assert.Equal(bytes, TransferEncoding.Base64(Encoding.ASCII.GetBytes(encoded)));
        }
    }

    [Fact]
    public void Quoted_printable_follows_rfc2045()
    {
        // RFC 2045 §6.7: "=" + CRLF is a soft break, "=XX" is a byte, hex digits may be lower case.
        var input = Encoding.ASCII.GetBytes("J'interdis aux marchands de vanter trop leurs marchandises. Car ils se font vite p=C3=A9dagogues et t=\r\nes b=c3=a9 =\nwith soft break");
        var text = Encoding.UTF8.GetString(TransferEncoding.QuotedPrintable(input));
        Assert.Equal("J'interdis aux marchands de vanter trop leurs marchandises. Car ils se font vite pédagogues et tes bé with soft break", text);
    }

    [Fact]
    public void Quoted_printable_underscore_is_space_only_in_headers()
    {
        Assert.Equal("a b", Encoding.ASCII.GetString(TransferEncoding.QuotedPrintable("a_b"u8, underscoreIsSpace: true)));
        Assert.Equal("a_b", Encoding.ASCII.GetString(TransferEncoding.QuotedPrintable("a_b"u8)));
    }
}
