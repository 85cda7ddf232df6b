// Breakdown, alignment, task balance and summary statistics against the formulas written out.

#include "core/analysis/alignment.h"
#include "core/analysis/breakdown.h"
#include "core/analysis/statistics.h"
#include "core/analysis/task_balance.h"
#include "core/losses/task_weighting.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace losslens;
using namespace losslens::analysis;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using StepList = std::vector<std::int64_t>;
using Values = std::vector<double>;
}

class TestBreakdown : public QObject {
    Q_OBJECT

private slots:
    void alignment_data();
    void alignment();
    void unionAndNearest();
    void breakdownExplainsTheTotal();
    void weightsChangeTheRecomputedTotal_data();
    void weightsChangeTheRecomputedTotal();
    void breakdownGapsAndErrors();
    void relativeToFirst();
    void dwaScheduleUsesTheEngine();
    void stats();
    void quantiles();
};

void TestBreakdown::alignment_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<Values>("expected");
    // series: steps 2, 4, 4, 7 → values 20, 40, 41 (last wins), 70; targets 1..8
    QTest::newRow("exact") << int(AlignMode::Exact) << Values{kNaN, 20, kNaN, 41, kNaN, kNaN, 70, kNaN};
    QTest::newRow("previous") << int(AlignMode::Previous) << Values{kNaN, 20, 20, 41, 41, 41, 70, 70};
}

void TestBreakdown::alignment()
{
    QFETCH(int, mode);
    QFETCH(Values, expected);
    const auto got = alignToSteps(StepList{2, 4, 4, 7}, Values{20, 40, 41, 70}, StepList{1, 2, 3, 4, 5, 6, 7, 8}, AlignMode(mode));
    QCOMPARE(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        QVERIFY(got[i] == expected[i] || (std::isnan(got[i]) && std::isnan(expected[i])));
}

void TestBreakdown::unionAndNearest()
{
    const StepList a{1, 3, 5}, b{2, 3, 9};
    const std::vector<losslens::Steps> both{a, b};
    QCOMPARE(unionOfSteps(both), (StepList{1, 2, 3, 5, 9}));
    QCOMPARE(nearestIndex(std::span<const std::int64_t>(a), 3.9), std::ptrdiff_t(1));
    QCOMPARE(nearestIndex(std::span<const std::int64_t>(a), 4.0), std::ptrdiff_t(1)); // tie → earlier
    QCOMPARE(nearestIndex(std::span<const std::int64_t>(a), 100.0), std::ptrdiff_t(2));
    QCOMPARE(nearestIndex(std::span<const std::int64_t>(StepList{}), 1.0), std::ptrdiff_t(-1));
}

void TestBreakdown::breakdownExplainsTheTotal()
{
    // total = 1·a + 2·b + r, logged with an extra 0.5 the recipe does not know about at step 2.
    BreakdownInput in{StepList{1, 2},
                      {{"a", Role::Component, 1.0, {1.0, 2.0}},
                       {"b", Role::Component, 1.0, {3.0, 1.0}, {2.0, 2.0}},
                       {"r", Role::Regularization, 1.0, {0.5, 0.5}}},
                      {7.5, 5.0}};
    const Breakdown b = computeBreakdown(in);
    QCOMPARE(b.recomputed, (Values{7.5, 4.5}));
    QCOMPARE(b.remainder[0], 0.0);
    QCOMPARE(b.remainder[1], 0.5);
    QCOMPARE(b.stacked[1], (Values{7.0, 4.0}));
    QCOMPARE(b.shares[1][0], 6.0 / 7.5);
    QCOMPARE(b.shares[0][1], 2.0 / 5.0);
    QCOMPARE(b.remainderShare[1], 0.1);
    for (std::size_t i = 0; i < 2; ++i) { // shares plus the unexplained share add up to 1
        double sum = b.remainderShare[i];
        for (const auto& s : b.shares)
            sum += s[i];
        QCOMPARE(sum, 1.0);
    }
}

void TestBreakdown::weightsChangeTheRecomputedTotal_data()
{
    QTest::addColumn<double>("weight");
    QTest::addColumn<double>("recomputed");
    QTest::newRow("w=1") << 1.0 << 4.5;
    QTest::newRow("w=2") << 2.0 << 6.5;
    QTest::newRow("w=0") << 0.0 << 2.5;
}

void TestBreakdown::weightsChangeTheRecomputedTotal()
{
    QFETCH(double, weight);
    QFETCH(double, recomputed);
    BreakdownInput in{StepList{1}, {{"a", Role::Component, weight, {2.0}}, {"b", Role::Component, 1.0, {2.0}}, {"r", Role::Regularization, 1.0, {0.5}}}, {}};
    const Breakdown b = computeBreakdown(in);
    QCOMPARE(b.recomputed[0], recomputed);
    QVERIFY(std::isnan(b.remainder[0])); // no logged total: nothing to explain
}

void TestBreakdown::breakdownGapsAndErrors()
{
    BreakdownInput in{StepList{1, 2}, {{"a", Role::Component, 1.0, {1.0, kNaN}}}, {1.0, 2.0}};
    const Breakdown b = computeBreakdown(in);
    QVERIFY(std::isnan(b.recomputed[1]) && std::isnan(b.remainder[1]));
    in.terms[0].values.pop_back();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeBreakdown(in));
}

void TestBreakdown::relativeToFirst()
{
    const auto r = analysis::relativeToFirst(Values{kNaN, 0.0, 4.0, 2.0, kNaN, 1.0});
    QVERIFY(std::isnan(r[0]));
    QCOMPARE(r[1], 0.0);
    QCOMPARE(r[2], 1.0);
    QCOMPARE(r[3], 0.5);
    QVERIFY(std::isnan(r[4]));
    QCOMPARE(r[5], 0.25);
}

void TestBreakdown::dwaScheduleUsesTheEngine()
{
    // Two tasks, epochs of 2 steps: epoch means a = 4, 2, 1; b = 1, 1, 1.
    const StepList steps{0, 1, 2, 3, 4, 5};
    const std::vector<Values> losses{{4, 4, 2, 2, 1, 1}, {1, 1, 1, 1, 1, 1}};
    const DwaSchedule s = dwaSchedule(steps, losses, 2, 2.0);
    QCOMPARE(s.epochStarts, (StepList{0, 2, 4}));
    QCOMPARE(s.weights[0][0], 1.0);
    QCOMPARE(s.weights[1][1], 1.0);
    const auto expected = dynamicWeightAverage({2.0, 1.0}, {4.0, 1.0}, 2.0);
    QCOMPARE(s.weights[0][2], expected[0]);
    QCOMPARE(s.weights[1][2], expected[1]);
    // and by hand: w = (0.5, 1) → λ = 2·e^{w/2} / Σ e^{w/2}
    const double ea = std::exp(0.25), eb = std::exp(0.5);
    QVERIFY(std::abs(s.weights[0][2] - 2 * ea / (ea + eb)) < 1e-12);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, dwaSchedule(steps, losses, 0));
}

void TestBreakdown::stats()
{
    StepList steps;
    Values v;
    for (int i = 0; i < 20; ++i)
        steps.push_back(i * 10), v.push_back(i == 5 ? 0.1 : 1.0 + i);
    v[19] = kNaN;
    const CurveStats s = curveStats(steps, v);
    QCOMPARE(s.points, std::size_t(20));
    QCOMPARE(s.last, 19.0); // the last finite one
    QCOMPARE(s.lastStep, std::int64_t(180));
    QCOMPARE(s.best, 0.1);
    QCOMPARE(s.bestStep, std::int64_t(50));
    QCOMPARE(s.meanLast10, 19.0); // last 2 points: 19 and NaN
}

void TestBreakdown::quantiles()
{
    // numpy.percentile([1..11], [5, 95]) = [1.5, 10.5]
    Values v;
    for (int i = 1; i <= 11; ++i)
        v.push_back(i);
    v.push_back(kNaN);
    const auto [lo, hi] = quantileRange(v);
    QCOMPARE(lo, 1.5);
    QCOMPARE(hi, 10.5);
    QVERIFY(std::isnan(quantileRange(Values{kNaN}).first));
}

QTEST_APPLESS_MAIN(TestBreakdown)
#include "tst_breakdown.moc"
