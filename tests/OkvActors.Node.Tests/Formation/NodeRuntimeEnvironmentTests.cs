using OkvActors.Node.Up;
using Xunit;

namespace OkvActors.Node.Tests.Formation;

/// <summary>Our launchers start nodes with the runtime settings .NET reads only from the environment; an operator's own value wins.</summary>
public sealed class NodeRuntimeEnvironmentTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "okv-tests", $"env-{Guid.NewGuid():N}"[..20]);

    public NodeRuntimeEnvironmentTests() => Directory.CreateDirectory(_root);

    [Fact]
    public async Task A_started_node_gets_the_node_settings_and_keeps_what_the_operator_set()
    {
        var ours = $"OKV_TEST_OURS_{Guid.NewGuid():N}";
        var operators = $"OKV_TEST_OPERATORS_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(operators, "operator");
        try
        {
            var log = Path.Combine(_root, "env.log");
            using var child = OkvProcess.StartDetached("/usr/bin/env", [], [], log, new Dictionary<string, string> { [ours] = "ours", [operators] = "ours" });
            await child.WaitForExitAsync();
            var printed = await File.ReadAllLinesAsync(log);
            Assert.Contains($"{ours}=ours", printed);
            Assert.Contains($"{operators}=operator", printed);
            Assert.DoesNotContain($"{operators}=ours", printed);
        }
        finally
        {
            Environment.SetEnvironmentVariable(operators, null);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // the temp folder goes with the machine
        }
    }
}
