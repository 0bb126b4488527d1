using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace OkvActors.Benchmarks;

/// <summary>
/// One launch, 3 warm-up and 8 measured iterations: minutes for the whole suite on a shared 2-core machine,
/// at the price of wider error bars (read them in the Error column).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShortJobAttribute() : SimpleJobAttribute(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 8);
