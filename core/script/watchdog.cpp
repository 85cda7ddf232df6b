#include "core/script/watchdog.h"

namespace losslens::script {

Watchdog::Watchdog(std::function<void()> onExpiry) : m_onExpiry(std::move(onExpiry)), m_thread([this] { loop(); }) {}

Watchdog::~Watchdog()
{
    {
        const std::lock_guard lock(m_mutex);
        m_quit = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void Watchdog::arm(std::chrono::milliseconds limit)
{
    {
        const std::lock_guard lock(m_mutex);
        m_deadline = std::chrono::steady_clock::now() + limit;
        m_armed = true;
        m_expired = false;
    }
    m_wake.notify_one();
}

bool Watchdog::disarm()
{
    const std::lock_guard lock(m_mutex);
    m_armed = false;
    return m_expired;
}

void Watchdog::loop()
{
    std::unique_lock lock(m_mutex);
    while (!m_quit) {
        if (!m_armed) {
            m_wake.wait(lock);
            continue;
        }
        if (m_wake.wait_until(lock, m_deadline) == std::cv_status::timeout && m_armed &&
            std::chrono::steady_clock::now() >= m_deadline) {
            m_armed = false;
            m_expired = true;
            // Called under the lock so that disarm() after it returns always sees m_expired.
            m_onExpiry();
        }
    }
}

} // namespace losslens::script
