namespace Sure.Autodiff;

/// <summary>The element types this project stores; other safetensors dtypes are rejected.</summary>
public enum SafetensorsDtype
{
    F32,
    F64,
    I32,
}

internal static class SafetensorsDtypes
{
    public static int ElementSize(SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.F32 => 4,
        SafetensorsDtype.F64 => 8,
        SafetensorsDtype.I32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    // Ordinal on purpose: the format spells dtypes in upper case and "f32" is not a valid dtype.
    public static bool TryParse(string text, out SafetensorsDtype dtype)
    {
        switch (text)
        {
            case "F32": dtype = SafetensorsDtype.F32; return true;
            case "F64": dtype = SafetensorsDtype.F64; return true;
            case "I32": dtype = SafetensorsDtype.I32; return true;
            default: dtype = default; return false;
        }
    }
}
