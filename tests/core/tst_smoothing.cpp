// Smoothing against TensorBoard's own formula and against the maths written out by hand.

#include "core/analysis/smoothing.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace losslens::analysis;

Q_DECLARE_METATYPE(std::vector<double>)

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// TensorBoard's resmoothDataset (tensorboard/plugins/scalar/vz_line_chart2/line-chart.ts),
// transcribed line by line from its JavaScript, Math.pow included:
//   let last = data.length > 0 ? 0 : NaN; let numAccum = 0;
//   const isConstant = yValues.every(v => v == yValues[0]);
//   if (isConstant || !Number.isFinite(nextVal)) d.smoothed = nextVal;
//   else { last = last * w + (1 - w) * nextVal; numAccum++;
//          let debiasWeight = 1; if (w !== 1) debiasWeight = 1 - Math.pow(w, numAccum);
//          d.smoothed = last / debiasWeight; }
std::vector<double> tensorBoardSmoothing(const std::vector<double>& y, double w)
{
    std::vector<double> out(y.size());
    double last = y.empty() ? kNaN : 0.0;
    int numAccum = 0;
    bool isConstant = true;
    for (double v : y)
        isConstant = isConstant && v == y[0];
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double next = y[i];
        if (isConstant || !std::isfinite(next)) {
            out[i] = next;
        } else {
            last = last * w + (1 - w) * next;
            ++numAccum;
            double debias = 1;
            if (w != 1)
                debias = 1 - std::pow(w, numAccum);
            out[i] = last / debias;
        }
    }
    return out;
}

bool sameOrBothNan(double a, double b, double tol)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    if (std::isinf(a) || std::isinf(b))
        return a == b;
    return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}
} // namespace

class TestSmoothing : public QObject {
    Q_OBJECT

private slots:
    void emaMatchesTensorBoard_data();
    void emaMatchesTensorBoard();
    void emaByHand();
    void emaExtendedInChunksEqualsAtOnce_data();
    void emaExtendedInChunksEqualsAtOnce();
    void rejectsBadWeights();
    void timeWeightedEqualsEmaOnEvenSpacing();
    void timeWeightedIgnoresPointDensity();
    void timeWeightedPassesNonFinite();
};

void TestSmoothing::emaMatchesTensorBoard_data()
{
    QTest::addColumn<std::vector<double>>("values");
    QTest::addColumn<double>("weight");
    std::mt19937 rng(7);
    std::normal_distribution<double> noise(0.0, 0.3);
    std::vector<double> noisy;
    for (int i = 0; i < 500; ++i)
        noisy.push_back(2.0 * std::exp(-i / 100.0) + noise(rng));
    QTest::newRow("noisy decay, default 0.6") << noisy << 0.6;
    QTest::newRow("noisy decay, 0.999") << noisy << 0.999;
    QTest::newRow("noisy decay, 0") << noisy << 0.0;
    QTest::newRow("NaN and Inf skipped") << std::vector<double>{1.0, kNaN, 3.0, kInf, -kInf, 2.0, 5.0} << 0.6;
    QTest::newRow("leading NaN") << std::vector<double>{kNaN, kNaN, 4.0, 2.0} << 0.9;
    QTest::newRow("constant") << std::vector<double>(20, 0.25) << 0.6;
    QTest::newRow("single") << std::vector<double>{3.0} << 0.6;
    QTest::newRow("empty") << std::vector<double>{} << 0.6;
}

void TestSmoothing::emaMatchesTensorBoard()
{
    QFETCH(std::vector<double>, values);
    QFETCH(double, weight);
    const auto expected = tensorBoardSmoothing(values, weight);
    const auto got = smoothEma(values, weight);
    QCOMPARE(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        QVERIFY2(sameOrBothNan(got[i], expected[i], 1e-12), qPrintable(QString("index %1: %2 vs %3").arg(i).arg(got[i]).arg(expected[i])));
}

void TestSmoothing::emaByHand()
{
    // w = 0.5 on 1, 2, 3: last = 0.5, 1.25, 2.125; debias 1 − 0.5ⁿ = 0.5, 0.75, 0.875.
    const auto s = smoothEma(std::vector<double>{1, 2, 3}, 0.5);
    QCOMPARE(s[0], 1.0);
    QCOMPARE(s[1], 1.25 / 0.75);
    QCOMPARE(s[2], 2.125 / 0.875);
}

void TestSmoothing::emaExtendedInChunksEqualsAtOnce_data()
{
    QTest::addColumn<std::vector<double>>("values");
    QTest::addColumn<double>("weight");
    std::mt19937 rng(3);
    std::normal_distribution<double> noise(0.0, 0.2);
    std::vector<double> noisy;
    for (int i = 0; i < 5000; ++i)
        noisy.push_back(i % 701 == 5 ? kNaN : i % 977 == 3 ? kInf : std::exp(-i / 900.0) + noise(rng));
    QTest::newRow("noisy, gaps, w = 0.6") << noisy << 0.6;
    QTest::newRow("noisy, w = 0.99") << noisy << 0.99;
    QTest::newRow("w = 0") << noisy << 0.0;
    std::vector<double> flatThenNot(3000, 0.25);
    flatThenNot.resize(4000, 0.5);
    QTest::newRow("constant, then not") << flatThenNot << 0.6; // the constant prefix gets smoothed late
    QTest::newRow("constant") << std::vector<double>(3000, 0.25) << 0.6;
}

// A live series grows: smoothing it chunk by chunk gives exactly (bit for bit) what smoothing
// all of it at once gives, and both are TensorBoard's curve.
void TestSmoothing::emaExtendedInChunksEqualsAtOnce()
{
    QFETCH(std::vector<double>, values);
    QFETCH(double, weight);
    const auto whole = smoothEma(values, weight);
    const auto tensorBoard = tensorBoardSmoothing(values, weight);
    EmaState state;
    std::vector<double> grown;
    std::mt19937 rng(8);
    for (std::size_t n = 0; n < values.size();) {
        const std::size_t before = grown.size();
        n = std::min(values.size(), n + 1 + rng() % 700);
        const std::size_t first = extendEma(std::span<const double>(values.data(), n), weight, state, grown);
        QVERIFY(first == before || first == 0);
        QCOMPARE(grown.size(), n);
    }
    QCOMPARE(grown.size(), whole.size());
    for (std::size_t i = 0; i < grown.size(); ++i) {
        QVERIFY2(std::memcmp(&grown[i], &whole[i], sizeof(double)) == 0, qPrintable(QString("index %1").arg(i)));
        QVERIFY(sameOrBothNan(grown[i], tensorBoard[i], 1e-12));
    }
}

void TestSmoothing::rejectsBadWeights()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, smoothEma(std::vector<double>{1, 2}, 1.0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, smoothEma(std::vector<double>{1, 2}, -0.1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, smoothEma(std::vector<double>{1, 2}, kNaN));
}

void TestSmoothing::timeWeightedEqualsEmaOnEvenSpacing()
{
    // 1001 points spaced span/1000 apart: aₖ = e^{−Δ/τ} = w exactly, so it is TensorBoard's EMA.
    std::vector<double> x, y;
    for (int i = 0; i <= 1000; ++i)
        x.push_back(i * 3.0), y.push_back(std::sin(i * 0.1) + i * 0.01);
    const auto a = smoothTimeWeighted(x, y, 0.6);
    const auto b = tensorBoardSmoothing(y, 0.6);
    for (std::size_t i = 0; i < a.size(); ++i)
        QVERIFY(sameOrBothNan(a[i], b[i], 1e-9));
}

void TestSmoothing::timeWeightedIgnoresPointDensity()
{
    // The same smooth underlying curve sampled at 1001 and at 10 001 points: the smoothed curves
    // agree where they share x, while the per-point EMA does not.
    const auto f = [](double t) { return 1.0 / (1.0 + t / 50.0) + 0.2 * std::sin(t / 20.0); };
    std::vector<double> xs, ys, xd, yd;
    for (int i = 0; i <= 1000; ++i)
        xs.push_back(i), ys.push_back(f(i));
    for (int i = 0; i <= 10000; ++i)
        xd.push_back(i / 10.0), yd.push_back(f(i / 10.0));
    const auto sparse = smoothTimeWeighted(xs, ys, 0.9);
    const auto dense = smoothTimeWeighted(xd, yd, 0.9);
    const auto emaSparse = smoothEma(ys, 0.9), emaDense = smoothEma(yd, 0.9);
    double worstTime = 0, worstEma = 0;
    for (int i = 100; i <= 1000; i += 50) {
        worstTime = std::max(worstTime, std::abs(sparse[std::size_t(i)] - dense[std::size_t(i * 10)]));
        worstEma = std::max(worstEma, std::abs(emaSparse[std::size_t(i)] - emaDense[std::size_t(i * 10)]));
    }
    QVERIFY2(worstTime < 0.01, qPrintable(QString::number(worstTime)));
    QVERIFY2(worstEma > 5 * worstTime, qPrintable(QString("%1 vs %2").arg(worstEma).arg(worstTime)));
}

void TestSmoothing::timeWeightedPassesNonFinite()
{
    const std::vector<double> x{0, 1, 2, 3, 4}, y{1, kNaN, 3, kInf, 5};
    const auto s = smoothTimeWeighted(x, y, 0.999); // τ = 4: a visible blend
    QVERIFY(std::isnan(s[1]));
    QVERIFY(std::isinf(s[3]));
    QCOMPARE(s[0], 1.0);
    QVERIFY(s[2] > 1.0 && s[2] < 3.0);
    QVERIFY(s[4] > s[2] && s[4] < 5.0);
}

QTEST_APPLESS_MAIN(TestSmoothing)
#include "tst_smoothing.moc"
