using System.Runtime.CompilerServices;

namespace OkvActors.Kmip.Ttlv;

/// <summary>Enum ↔ uint without boxing: the KMIP enums are all 32-bit, as on the wire.</summary>
internal static class EnumBits
{
    public static uint ToUInt32<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        RequireFourBytes<TEnum>();
        return Unsafe.As<TEnum, uint>(ref value);
    }

    public static TEnum FromUInt32<TEnum>(uint value)
        where TEnum : struct, Enum
    {
        RequireFourBytes<TEnum>();
        return Unsafe.As<uint, TEnum>(ref value);
    }

    private static void RequireFourBytes<TEnum>()
    {
        if (Unsafe.SizeOf<TEnum>() != 4)
        {
            throw new ArgumentException($"{typeof(TEnum).Name} is not a 32-bit enum, as KMIP enumerations are.");
        }
    }
}
