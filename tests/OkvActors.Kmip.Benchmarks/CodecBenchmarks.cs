using BenchmarkDotNet.Attributes;
using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;

namespace OkvActors.Kmip.Benchmarks;

/// <summary>
/// The server's hot path: decode a Get request, encode its response (a 256-bit AES key), for one item and a batch
/// of ten. <c>Scan</c> is the allocation-free pull reader alone; <c>DecodeRequest</c> builds the model and payload
/// trees (one allocation per item); <c>EncodeResponse</c> reuses one writer, as a connection would.
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private readonly TtlvWriter _writer = new(4096);
    private byte[] _request = [];
    private ResponseMessage _response = null!;

    [Params(1, 10)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var request = GetSamples.Request(BatchSize);
        _request = KmipMessageCodec.EncodeRequest(request);
        _response = GetSamples.Response(request);
    }

    [Benchmark]
    public int Scan()
    {
        var reader = new TtlvReader(_request);
        var count = 0;
        while (reader.Read())
        {
            if (reader.Tag == Tag.Operation)
            {
                count += (int)reader.GetEnumeration();
            }
        }

        return count;
    }

    [Benchmark]
    public RequestMessage DecodeRequest() => KmipMessageCodec.DecodeRequest(_request);

    [Benchmark]
    public int EncodeResponse()
    {
        _writer.Reset();
        KmipMessageCodec.EncodeResponse(_response, _writer);
        return _writer.Length;
    }

    [GlobalCleanup]
    public void Cleanup() => _writer.Dispose();
}
