#pragma once
// The C++ live client: sends LossCollection snapshots to a LossLens server (protocol.h).
// Plain POSIX sockets and no event loop, so it can sit in any training loop or thread.
//
//   losslens::live::LiveClient client({.host = "127.0.0.1", .port = 6464, .run = "mtl-seed0"});
//   for (...) { ...; client.send(losses.snapshot(step)); }
//   client.sync();   // true once every record sent is on the server's disk

#include "core/live/protocol.h"

#include <cstdint>
#include <limits>
#include <string>

namespace losslens::live {

struct ClientOptions {
    std::string host = kDefaultHost; ///< an IP address or a host name
    std::uint16_t port = kDefaultPort;
    std::string run = {};            ///< named once in the hello, and in every record
    std::string token = {};          ///< when the server asks for one
    std::string metaJson = {};       ///< a JSON object sent in the hello, or empty
    /// Records wait in a buffer of at most this many bytes while the server is unreachable;
    /// beyond it the oldest are dropped (and counted).
    std::size_t maxBufferBytes = 16u << 20;
    /// The buffer is sent once it holds this many bytes (and on flush() and sync()).
    std::size_t sendThreshold = 64u << 10;
    /// How long one send or connect may block before the data waits for the next call.
    int timeoutMs = 2000;
    /// A failed connection is tried again at most this often.
    int reconnectIntervalMs = 1000;
};

/// Never throws for network trouble: records wait in a bounded buffer and the connection is
/// re-established on a later call. Records written to a connection that then broke may be lost;
/// sync() tells which records are safe. Not thread-safe: one client per thread.
class LiveClient {
public:
    explicit LiveClient(ClientOptions options);
    /// Flushes (for at most timeoutMs) and closes.
    ~LiveClient();
    LiveClient(const LiveClient&) = delete;
    LiveClient& operator=(const LiveClient&) = delete;

    /// Queues `snapshot` as one record; a NaN wall time means now.
    void send(const LossSnapshot& snapshot, double wallTime = std::numeric_limits<double>::quiet_NaN());
    /// Queues a record; an empty run means the client's run, a NaN wall time now.
    void send(const Record& record);
    /// Sends everything queued; false if some of it is still waiting (not connected, timeout).
    bool flush();
    /// Sends a sync and waits up to `timeoutMs` for its answer: true once the server says every
    /// record of this connection is on disk.
    bool sync(int timeoutMs = 10000);

    bool connected() const { return m_fd >= 0; }
    std::uint64_t droppedRecords() const { return m_dropped; }
    /// Error lines the server sent back (rejected records) and the last message.
    std::uint64_t errorsReceived() const { return m_errors; }
    const std::string& lastError() const { return m_lastError; }

private:
    void queue(std::string_view line);
    bool ensureConnected();
    bool connectNow();
    void disconnect(const std::string& why);
    bool writeBuffer(int timeoutMs);
    bool readReplies(int timeoutMs, const std::string& waitFor);

    ClientOptions m_options;
    int m_fd = -1;
    std::string m_buffer;  // whole lines not yet sent
    std::string m_inbox;   // reply bytes not yet split into lines
    std::string m_line;    // the record being serialized, kept for its capacity
    bool m_midLine = false; // the first line of m_buffer is partly sent on the current socket
    std::int64_t m_lastAttemptMs = std::numeric_limits<std::int64_t>::min() / 2;
    std::uint64_t m_dropped = 0;
    std::uint64_t m_errors = 0;
    std::uint64_t m_syncCounter = 0;
    std::string m_lastError;
    std::string m_syncedId;
};

} // namespace losslens::live
