using System.Text.Json.Serialization;

namespace Sure.Policy;

/// <summary>Source-generated JSON for the config a weights file stores, so that a trimmed host needs no reflection.</summary>
[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SureConfig))]
internal sealed partial class PolicyJson : JsonSerializerContext;
