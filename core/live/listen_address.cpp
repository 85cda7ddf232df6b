#include "core/live/listen_address.h"

namespace losslens::live {

bool ListenAddress::parse(const QString& text, ListenAddress& out, QString* error)
{
    const auto fail = [&](const QString& why) {
        if (error)
            *error = QStringLiteral("invalid listen address '%1': %2").arg(text, why);
        return false;
    };
    QString hostText;
    QString portText = text.trimmed();
    const qsizetype colon = portText.lastIndexOf(':');
    if (colon >= 0) {
        hostText = portText.left(colon);
        portText = portText.mid(colon + 1);
        if (hostText.startsWith('[') && hostText.endsWith(']'))
            hostText = hostText.mid(1, hostText.size() - 2);
    }
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port > 65535)
        return fail(QStringLiteral("the port must be a number from 0 to 65535"));
    ListenAddress parsed;
    parsed.port = static_cast<quint16>(port);
    if (hostText.isEmpty() || hostText.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        parsed.host = QHostAddress(QHostAddress::LocalHost);
    else if (!parsed.host.setAddress(hostText))
        return fail(QStringLiteral("'%1' is not an IP address (use e.g. 127.0.0.1, 0.0.0.0 or [::1])").arg(hostText));
    out = parsed;
    return true;
}

QString ListenAddress::toString() const
{
    const QString h = host.protocol() == QAbstractSocket::IPv6Protocol ? '[' + host.toString() + ']' : host.toString();
    return h + ':' + QString::number(port);
}

} // namespace losslens::live
