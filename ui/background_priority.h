#pragma once
// Work the user is not waiting on (loading, building plots) yields the CPU to the GUI thread.

namespace losslens::ui {

/// Lowers the calling thread's scheduling priority (on Linux its nice value, to 10): when the
/// machine is busy — a training job and its live stream on the same cores — the GUI thread is
/// served first, and this thread still gets a share. Threads it then starts inherit it.
void lowerThisThreadsPriority();

} // namespace losslens::ui
