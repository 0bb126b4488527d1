using OkvActors.Kmip.Fuzz;
using SharpFuzz;

// Fuzz target for the KMIP request decoder. The property under test: on any bytes, decoding either succeeds or
// raises TtlvFormatException / KmipFieldException; anything else escaping is a bug, and AFL/libFuzzer see it as a crash.
//
//   dotnet run --project tests/OkvActors.Kmip.Fuzz -- --corpus <dir>   replay every file in-process, report escapes
//   (AFL++)      see README.md beside this file: instrument OkvActors.Kmip.dll with sharpfuzz, then afl-fuzz
//   (libFuzzer)  the same binary with --libfuzzer, driven by libfuzzer-dotnet
switch (args)
{
    case ["--corpus", var directory]:
        return CorpusReplay.Run(directory);
    case ["--libfuzzer"]:
        Fuzzer.LibFuzzer.Run(span => DecodeTarget.Decode(span));
        return 0;
    case []:
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            DecodeTarget.Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    default:
        Console.Error.WriteLine("usage: OkvActors.Kmip.Fuzz [--corpus <dir> | --libfuzzer]   (no argument: AFL out-of-process mode, input on stdin)");
        return 2;
}
