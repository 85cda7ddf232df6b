#pragma once
// How QCOMPARE prints the engine's enums.

#include "core/losses/reduction.h"
#include "core/runs/role.h"

#include <QTest>

#include <string>

namespace QTest {
template <>
inline char* toString(const losslens::Reduction& r)
{
    return qstrdup(std::string(losslens::reductionName(r)).c_str());
}
template <>
inline char* toString(const losslens::Role& r)
{
    return qstrdup(std::string(losslens::roleName(r)).c_str());
}
} // namespace QTest
