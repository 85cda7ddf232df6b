// Fuzzes opening a saved session (`.losslens`): SessionState::load on the file's bytes, then the
// role overrides it carries, as MainWindow does.
//
// Invariants: a session that loads saves to JSON that loads back to the same JSON (a fixed
// point after one round); view settings are clamped to what the controls accept.

#include "core/runs/role_overrides.h"
#include "tests/fuzz/fuzz_support.h"
#include "ui/session_file.h"

#include <QJsonDocument>

#include <sys/mman.h>
#include <unistd.h>

namespace {

using losslens::ui::SessionState;

/// The input as a file: load() takes a path, and a memfd costs no disk I/O.
QString asFile(std::string_view bytes)
{
    static const int fd = memfd_create("fuzz-session", 0);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    FUZZ_CHECK(pwrite(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
    return QStringLiteral("/proc/self/fd/%1").arg(fd);
}

QByteArray compact(const SessionState& state) { return QJsonDocument(state.toJson()).toJson(QJsonDocument::Compact); }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    SessionState state;
    QString error;
    if (!SessionState::load(asFile(losslens::fuzz::asText(data, size)), &state, &error)) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    FUZZ_CHECK(state.view.smoothing >= 0.0 && state.view.smoothing < 1.0);
    FUZZ_CHECK(state.view.epochSteps >= 1);

    losslens::RoleOverrides overrides;
    std::string rolesError;
    if (!state.roleOverridesJson.isEmpty() && overrides.fromJson(state.roleOverridesJson.toStdString(), &rolesError)) {
        losslens::RoleOverrides again;
        FUZZ_CHECK(again.fromJson(overrides.toJson()));
        FUZZ_CHECK(again.toJson() == overrides.toJson());
    }

    const QByteArray saved = compact(state);
    SessionState reloaded;
    FUZZ_CHECK(SessionState::fromJson(state.toJson(), &reloaded, &error));
    FUZZ_CHECK(compact(reloaded) == saved);
    return 0;
}
