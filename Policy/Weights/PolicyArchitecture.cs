namespace Sure.Policy;

/// <summary>The metadata key that names a checkpoint's architecture; a file without it holds SURE. (Here, not in
/// Models, so that the host library refuses the baselines' checkpoints with the trainer's own words.)</summary>
public static class PolicyArchitecture
{
    public const string Key = "architecture", Sure = "sure";
}
