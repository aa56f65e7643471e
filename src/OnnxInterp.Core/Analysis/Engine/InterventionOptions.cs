using OnnxInterp.Runtime;

namespace OnnxInterp.Analysis.Engine;

/// <summary>
/// How the engine runs plans: at most about <paramref name="RowsPerRun"/> batch rows per session run (a row and the rows
/// it reads from always share a run), on <paramref name="Device"/>; sessions come from <paramref name="Sessions"/>
/// when given (the caller owns it, and later plans with the same sites reuse its sessions), else the engine owns a
/// cache of its own. With <paramref name="StartAtWrites"/>, a row whose writes are all on one tensor and which has a
/// twin (a row without writes and the same tokens) starts there from the twin's values instead of recomputing what comes
/// before (a patch at layer L skips layers 0..L-1); results are the same. With <paramref name="ReusePast"/>, plan builders
/// that patch one position per variant on a graph with past key/value inputs run each position's variants on the
/// positions from there on, with the earlier positions' keys and values as past (activation patching). <paramref name="Output"/> names the output that plan builders read as logits when the hook map
/// has no <c>logits</c> hook. <paramref name="Progress"/> hears (session runs done, session runs in the plan) after each run.
/// </summary>
public sealed record InterventionOptions(
    int RowsPerRun = 32,
    Device Device = Device.Cpu,
    SessionCache? Sessions = null,
    Action<string>? Log = null,
    string? Output = null,
    Action<int, int>? Progress = null,
    bool StartAtWrites = true,
    bool ReusePast = true);
