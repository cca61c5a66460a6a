using System.Text.Json.Serialization;
using Sure.Models.Training;

namespace Sure.Models;

/// <summary>
/// Source-generated JSON for what checkpoints store (the config, the training options), so that a trimmed,
/// self-contained `sure` (the build carried to GPU machines) needs no reflection.
/// </summary>
[JsonSourceGenerationOptions(UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip, UseStringEnumConverter = true)]
[JsonSerializable(typeof(TrainOptions))]
internal sealed partial class ModelsJson : JsonSerializerContext;
