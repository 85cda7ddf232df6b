#include "core/live/live_client.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace losslens::live {

namespace {

std::int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

double wallNow()
{
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

int remaining(std::int64_t deadline)
{
    return static_cast<int>(std::max<std::int64_t>(0, deadline - nowMs()));
}

} // namespace

LiveClient::LiveClient(ClientOptions options) : m_options(std::move(options)) {}

LiveClient::~LiveClient()
{
    flush();
    if (m_fd >= 0)
        ::close(m_fd);
}

void LiveClient::send(const LossSnapshot& snapshot, double wallTime)
{
    m_line.clear();
    appendSnapshot(m_line, m_options.run, snapshot, std::isnan(wallTime) ? wallNow() : wallTime);
    queue(m_line);
}

void LiveClient::send(const Record& record)
{
    m_line.clear();
    if (record.run.empty() || std::isnan(record.wallTime)) {
        Record filled = record;
        if (filled.run.empty())
            filled.run = m_options.run;
        if (std::isnan(filled.wallTime))
            filled.wallTime = wallNow();
        appendRecord(m_line, filled);
    } else {
        appendRecord(m_line, record);
    }
    queue(m_line);
}

void LiveClient::queue(std::string_view line)
{
    m_buffer.append(line);
    if (m_buffer.size() > m_options.maxBufferBytes) {
        // Drop the oldest whole lines; the first is kept when it is half sent on a live socket.
        const std::size_t keep = m_midLine ? m_buffer.find('\n') + 1 : 0;
        std::size_t cut = keep;
        while (m_buffer.size() - (cut - keep) > m_options.maxBufferBytes / 2) {
            const std::size_t end = m_buffer.find('\n', cut);
            if (end == std::string::npos)
                break;
            cut = end + 1;
            ++m_dropped;
        }
        m_buffer.erase(keep, cut - keep);
    }
    if (m_buffer.size() >= m_options.sendThreshold)
        flush();
}

bool LiveClient::flush()
{
    if (m_buffer.empty())
        return true;
    if (!ensureConnected())
        return false;
    return writeBuffer(m_options.timeoutMs) && m_buffer.empty();
}

bool LiveClient::sync(int timeoutMs)
{
    const std::string id = "cpp-" + std::to_string(++m_syncCounter);
    const std::int64_t deadline = nowMs() + timeoutMs;
    if (!ensureConnected())
        return false;
    m_buffer += syncLine(id);
    if (!writeBuffer(remaining(deadline)) || !m_buffer.empty())
        return false;
    return readReplies(remaining(deadline), id);
}

bool LiveClient::ensureConnected()
{
    if (m_fd >= 0)
        return true;
    const std::int64_t t = nowMs();
    if (t - m_lastAttemptMs < m_options.reconnectIntervalMs)
        return false;
    m_lastAttemptMs = t;
    return connectNow();
}

bool LiveClient::connectNow()
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(m_options.port);
    if (::getaddrinfo(m_options.host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
        m_lastError = "cannot resolve " + m_options.host;
        return false;
    }
    const std::int64_t deadline = nowMs() + m_options.timeoutMs;
    for (addrinfo* a = found; a && m_fd < 0; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        int ok = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
        if (ok == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            socklen_t len = sizeof ok;
            ok = ::poll(&p, 1, remaining(deadline)) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &ok, &len) == 0
                     ? ok
                     : ETIMEDOUT;
        }
        if (ok != 0) {
            m_lastError = "cannot connect to " + m_options.host + ":" + port + ": " + std::strerror(ok);
            ::close(fd);
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        m_fd = fd;
    }
    ::freeaddrinfo(found);
    if (m_fd < 0)
        return false;
    m_inbox.clear();
    m_midLine = false;
    if (!m_options.run.empty() || !m_options.token.empty() || !m_options.metaJson.empty())
        m_buffer.insert(0, helloLine(m_options.run, m_options.token, m_options.metaJson));
    return true;
}

void LiveClient::disconnect(const std::string& why)
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_lastError = why;
    // The rest of a half-sent line would be garbage on a new connection.
    if (m_midLine) {
        const std::size_t end = m_buffer.find('\n');
        m_buffer.erase(0, end == std::string::npos ? m_buffer.size() : end + 1);
        ++m_dropped;
        m_midLine = false;
    }
}

bool LiveClient::writeBuffer(int timeoutMs)
{
    const std::int64_t deadline = nowMs() + timeoutMs;
    std::size_t sent = 0;
    bool ok = true;
    while (m_fd >= 0 && sent < m_buffer.size()) {
        const ssize_t n = ::send(m_fd, m_buffer.data() + sent, m_buffer.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // Read replies while waiting, so neither side's buffers fill up with the other's data.
            readReplies(0, {});
            pollfd p{m_fd, POLLOUT, 0};
            if (m_fd >= 0 && ::poll(&p, 1, remaining(deadline)) > 0)
                continue;
            ok = false;
            break;
        }
        m_midLine = sent > 0 && m_buffer[sent - 1] != '\n';
        m_buffer.erase(0, sent);
        sent = 0;
        disconnect(std::string("connection lost: ") + std::strerror(n < 0 ? errno : EPIPE));
        return false;
    }
    if (sent > 0)
        m_midLine = m_buffer[sent - 1] != '\n';
    m_buffer.erase(0, sent);
    readReplies(0, {});
    return ok && m_fd >= 0;
}

bool LiveClient::readReplies(int timeoutMs, const std::string& waitFor)
{
    const std::int64_t deadline = nowMs() + timeoutMs;
    char chunk[4096];
    while (m_fd >= 0) {
        pollfd p{m_fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, remaining(deadline));
        if (ready <= 0)
            return false;
        const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            disconnect(n == 0 ? m_lastError.empty() ? "the server closed the connection" : m_lastError
                              : std::string("connection lost: ") + std::strerror(errno));
            return false;
        }
        m_inbox.append(chunk, static_cast<std::size_t>(n));
        bool found = false;
        for (std::size_t end; (end = m_inbox.find('\n')) != std::string::npos;) {
            const Reply r = parseReply(std::string_view(m_inbox).substr(0, end));
            m_inbox.erase(0, end + 1);
            if (r.kind == Reply::Kind::Synced && !waitFor.empty() && r.syncId == waitFor)
                found = true;
            else if (r.kind == Reply::Kind::Error || r.kind == Reply::Kind::Refused) {
                ++m_errors;
                m_lastError = r.message;
            }
        }
        if (found)
            return true;
    }
    return false;
}

} // namespace losslens::live
