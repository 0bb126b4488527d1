using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;

namespace OkvActors.Kmip.Fuzz;

/// <summary>What the fuzzer drives: the request decoder, then a re-encode of whatever it accepted.</summary>
internal static class DecodeTarget
{
    public static void Decode(ReadOnlySpan<byte> data)
    {
        try
        {
            var request = KmipMessageCodec.DecodeRequest(data);
            // Whatever decodes must encode again and decode to the same number of batch items.
            var again = KmipMessageCodec.DecodeRequest(KmipMessageCodec.EncodeRequest(request));
            if (again.BatchItems.Count != request.BatchItems.Count)
            {
                throw new InvalidOperationException("Re-encoded request lost batch items.");
            }
        }
        catch (TtlvFormatException)
        {
        }
        catch (KmipFieldException)
        {
        }

        try
        {
            TtlvDecoder.Decode(data);
        }
        catch (TtlvFormatException)
        {
        }
    }
}
