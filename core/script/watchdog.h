#pragma once
// A thread that interrupts a script running past its deadline. QJSEngine::setInterrupted is the
// one engine call that is safe from another thread; the watchdog makes nothing else.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace losslens::script {

class Watchdog {
public:
    /// `onExpiry` runs on the watchdog's thread when an armed deadline passes.
    explicit Watchdog(std::function<void()> onExpiry);
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    /// Starts a countdown of `limit` (replacing any earlier one).
    void arm(std::chrono::milliseconds limit);
    /// Stops the countdown; returns true when it had already expired (onExpiry was called).
    bool disarm();

private:
    void loop();

    std::function<void()> m_onExpiry;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::chrono::steady_clock::time_point m_deadline;
    bool m_armed = false;
    bool m_expired = false;
    bool m_quit = false;
    std::thread m_thread; // last: starts after the state above exists
};

} // namespace losslens::script
