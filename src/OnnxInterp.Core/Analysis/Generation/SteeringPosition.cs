namespace OnnxInterp.Analysis.Generation;

/// <summary>Where a steering vector reads each prompt's activation: its last position, or the mean over all its positions.</summary>
public enum SteeringPosition { Last, Mean }
