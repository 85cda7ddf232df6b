#pragma once
// Where a live server listens: "[HOST:]PORT" as the command lines take it.

#include <QHostAddress>
#include <QString>

namespace losslens::live {

struct ListenAddress {
    QHostAddress host = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 6464;

    /// Parses "PORT", "HOST:PORT" or "[IPV6]:PORT"; HOST is an IP address or "localhost"
    /// (127.0.0.1). PORT 0 picks a free port. Returns false with a message in `error`.
    static bool parse(const QString& text, ListenAddress& out, QString* error = nullptr);
    /// The loopback interface only (127.0.0.0/8, ::1): nothing else on the network can connect.
    bool isLoopback() const { return host.isLoopback(); }
    QString toString() const;
};

} // namespace losslens::live
