using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace OkvActors.Crypto.Hsm;

/// <summary>
/// One loaded PKCS#11 module per path, shared by every <see cref="HsmKekSeal"/> of the process.
/// C_Initialize and C_Finalize are process-wide in PKCS#11: a second load of the same module would
/// finalize it under the first one's sessions when disposed, so the module is reference counted and
/// finalized only when its last user lets go.
/// </summary>
internal sealed class Pkcs11Module
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Pkcs11Module> Loaded = new(StringComparer.Ordinal);

    private readonly string _path;
    private int _users;

    static Pkcs11Module()
    {
        // Pkcs11Interop 5 P/Invokes dlopen from "libdl", which resolves to libdl.so: only libc6-dev ships
        // that name since glibc 2.34 moved dlopen into libc. libdl.so.2 is on every glibc system (and
        // its symbol lookup reaches libc), so map the name rather than require a development package.
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(IPkcs11Library).Assembly, ResolveLibdl);
        }
        catch (InvalidOperationException)
        {
            // The host installed its own resolver for Pkcs11Interop; it knows its platform better.
        }
    }

    private Pkcs11Module(string path, IPkcs11Library library)
    {
        _path = path;
        Library = library;
    }

    public IPkcs11Library Library { get; }

    public static Pkcs11Module Acquire(string modulePath)
    {
        var path = Path.GetFullPath(modulePath);
        if (!File.Exists(path))
        {
            throw new HsmException(HsmFailure.ModuleNotFound,
                $"the PKCS#11 module {path} does not exist (for SoftHSM2 install the softhsm2 package, or fix --hsm-module)");
        }

        lock (Gate)
        {
            if (!Loaded.TryGetValue(path, out var module))
            {
                IPkcs11Library library;
                try
                {
                    var factories = new Pkcs11InteropFactories();
                    library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, path, AppType.MultiThreaded);
                }
                catch (Exception e) when (e is Pkcs11Exception or UnmanagedException or LibraryArchitectureException
                                              or DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
                {
                    throw new HsmException(HsmFailure.ModuleNotFound, $"the PKCS#11 module {path} could not be loaded: {OneLine(e.Message)}", e);
                }

                module = new Pkcs11Module(path, library);
                Loaded[path] = module;
            }

            module._users++;
            return module;
        }
    }

    public void Release()
    {
        lock (Gate)
        {
            if (--_users == 0)
            {
                Loaded.Remove(_path);
                Library.Dispose();
            }
        }
    }

    private static IntPtr ResolveLibdl(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "libdl" || !OperatingSystem.IsLinux())
        {
            return IntPtr.Zero;
        }

        return NativeLibrary.TryLoad("libdl.so.2", out var handle) || NativeLibrary.TryLoad("libc.so.6", out handle) ? handle : IntPtr.Zero;
    }

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
