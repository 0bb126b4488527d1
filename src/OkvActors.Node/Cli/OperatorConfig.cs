using Akka.Configuration;

namespace OkvActors.Node.Cli;

/// <summary>
/// Loads the operator's HOCON: hocon/node.conf and the split-brain profile shipped beside the
/// binary (or in OKV_HOCON_DIR), plus an optional --config file on top.
/// </summary>
public static class OperatorConfig
{
    public const string ProductionProfile = "production";
    public const string FastProfile = "fast";

    public static string HoconDir =>
        Environment.GetEnvironmentVariable("OKV_HOCON_DIR") is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "hocon");

    public static Config Load(string profile, string? extraFile)
    {
        if (profile is not (ProductionProfile or FastProfile))
        {
            throw new CliError($"unknown profile '{profile}': use '{ProductionProfile}' or '{FastProfile}'");
        }

        var config = Read("node.conf").WithFallback(Config.Empty);
        config = Read("split-brain.conf").WithFallback(config);
        if (profile == FastProfile)
        {
            config = Read("split-brain.fast.conf").WithFallback(config);
        }

        if (extraFile is not null)
        {
            if (!File.Exists(extraFile))
            {
                throw new CliError($"config file {extraFile} does not exist");
            }

            config = ConfigurationFactory.ParseString(File.ReadAllText(extraFile)).WithFallback(config);
        }

        return config;
    }

    private static Config Read(string name)
    {
        var path = Path.Combine(HoconDir, name);
        if (!File.Exists(path))
        {
            throw new CliError($"missing {path}: set OKV_HOCON_DIR to the hocon/ folder of the installation");
        }

        return ConfigurationFactory.ParseString(File.ReadAllText(path));
    }
}
