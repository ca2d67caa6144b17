using System.Net;
using System.Net.Sockets;

namespace SkDiffusion.Tests.Grammars;

/// <summary><c>"format": "ipv6"</c>: every accepted value is an IPv6 address .NET parses, and every address .NET writes is accepted.</summary>
public sealed class Ipv6FormatTests
{
    private static readonly SkDiffusion.Grammars.TokenGrammar Grammar = GrammarTestKit.ByteSchema("""{"type":"string","format":"ipv6"}""");

    private static bool Accepts(string address) => Grammar.Matches("\"" + address + "\"");

    [Theory]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("2001:db8::1")]
    [InlineData("fe80::1:2:3:4")]
    [InlineData("1:2:3:4:5:6:7:8")]
    [InlineData("1:2:3:4:5:6:7::")]
    [InlineData("::2:3:4:5:6:7:8")]
    [InlineData("::ffff:192.168.0.1")]
    [InlineData("1:2:3:4:5:6:1.2.3.4")]
    [InlineData("ABCD:ef01::")]
    public void Written_forms_are_accepted(string address) => Assert.True(Accepts(address), address);

    [Theory]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1::2::3")]
    [InlineData(":1")]
    [InlineData("1:")]
    [InlineData("12345::")]
    [InlineData("1:2:3:4:5:6:7")]
    [InlineData("::1.2.3")]
    [InlineData("::256.1.1.1")]
    [InlineData("1:2:3:4:5:6:7:1.2.3.4")]
    [InlineData("g::1")]
    [InlineData(":::")]
    [InlineData("[::1]")]
    [InlineData("fe80::1%eth0")]
    public void Malformed_addresses_are_refused(string address) => Assert.False(Accepts(address), address);

    [Fact]
    public void Every_address_dotnet_writes_is_accepted()
    {
        var random = new Random(6);
        var bytes = new byte[16];
        for (int i = 0; i < 400; i++)
        {
            random.NextBytes(bytes);
            // Runs of zero groups of every length and place, so that "::" lands everywhere.
            int zeroStart = random.Next(8), zeroLength = random.Next(9 - zeroStart);
            Array.Clear(bytes, zeroStart * 2, zeroLength * 2);
            if (i % 10 == 0)
            {
                Array.Clear(bytes, 0, 10);
                bytes[10] = bytes[11] = 0xff; // IPv4-mapped: written as ::ffff:a.b.c.d
            }

            string text = new IPAddress(bytes).ToString();
            Assert.True(Accepts(text), text);
        }
    }

    [Fact]
    public void Every_accepted_candidate_parses_as_ipv6()
    {
        string[] parts = ["", "0", "1", "ff", "abcd", "12345", ":", "::", ".", "1.2.3.4", "g"];
        var random = new Random(7);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            string candidate = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => parts[random.Next(parts.Length)]));
            if (Accepts(candidate))
            {
                accepted++;
                Assert.True(IPAddress.TryParse(candidate, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6, candidate);
            }
        }

        Assert.True(accepted > 50, $"only {accepted} candidates accepted");
    }
}
