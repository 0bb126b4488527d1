// The short profile drives real OS processes in network namespaces (kill -9, SIGSTOP, iproute2): Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
