#pragma once
// Loads the reference files in tests/data/references/ (cases format plus expected values) for the
// data-driven loss tests. The generators that wrote them live in tests/reference/.

#include "core/losses/loss_cases.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <memory>
#include <string>
#include <vector>

namespace losslens::test {

struct ReferenceCase {
    std::string file;
    LossCase loss;
};

inline std::vector<std::shared_ptr<const ReferenceCase>> loadReferenceCases()
{
    std::vector<std::shared_ptr<const ReferenceCase>> out;
    const QDir dir(QStringLiteral(LOSSLENS_TEST_DATA "/references"));
    for (const QString& name : dir.entryList({"*.json"}, QDir::Files, QDir::Name)) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            qFatal("cannot read %s", qPrintable(file.fileName()));
        const QByteArray json = file.readAll();
        for (auto& c : parseLossCases(std::string_view(json.constData(), static_cast<std::size_t>(json.size()))))
            out.push_back(std::make_shared<const ReferenceCase>(ReferenceCase{name.toStdString(), std::move(c)}));
    }
    return out;
}

/// |a − b| ≤ atol + rtol·|b|, with NaN equal to NaN and infinities equal when same-signed.
inline bool close(double a, double b, double rtol, double atol)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    if (std::isinf(a) || std::isinf(b))
        return a == b;
    return std::abs(a - b) <= atol + rtol * std::abs(b);
}

/// Compares shapes and every element; on failure reports the first differing element.
inline bool compareTensors(const TensorView<double>& actual, const TensorView<double>& expected, double rtol,
                           double atol, QString* why)
{
    if (actual.shape() != expected.shape()) {
        *why = QStringLiteral("shape %1, expected %2")
                   .arg(QString::fromStdString(toString(actual.shape())), QString::fromStdString(toString(expected.shape())));
        return false;
    }
    for (Index i = 0; i < actual.size(); ++i)
        if (!close(actual[i], expected[i], rtol, atol)) {
            *why = QStringLiteral("element %1 is %2, expected %3").arg(i).arg(actual[i], 0, 'g', 17).arg(expected[i], 0, 'g', 17);
            return false;
        }
    return true;
}

} // namespace losslens::test

Q_DECLARE_METATYPE(std::shared_ptr<const losslens::test::ReferenceCase>)
