// These tests drive real OS processes (kill -9, SIGTERM, Unix sockets): Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
