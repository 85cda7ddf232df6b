#include "ui/background_priority.h"

#include <QtGlobal>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace losslens::ui {

void lowerThisThreadsPriority()
{
#ifdef Q_OS_LINUX
    // Linux gives each thread its own nice value; QThread::setPriority cannot lower a normal
    // (SCHED_OTHER) thread, and its IdlePriority would starve the work while the GUI idles.
    constexpr int kNice = 10;
    const auto thread = static_cast<id_t>(::syscall(SYS_gettid));
    if (::getpriority(PRIO_PROCESS, thread) < kNice)
        ::setpriority(PRIO_PROCESS, thread, kNice);
#endif
}

} // namespace losslens::ui
