// The float32 cross-entropy kernels (sigmoidCrossEntropy<float>, softmaxCrossEntropy<float>)
// element by element against the formulas evaluated in long double with std::log1p and std::exp,
// over dense sweeps of the logits. This checks whichever path the build has: the AVX-512 kernels
// of core/losses/cross_entropy_kernels.cpp (their own exp and log1p polynomials) or the Eigen
// expressions of classification.cpp. The float references elsewhere only test to 1e-5.

#include "core/losses/classification.h"
#include "core/losses/cross_entropy_kernels.h"

#include <QtTest>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <random>

using namespace losslens;

namespace {

using Real = long double;

constexpr Real kEpsilon = FLT_EPSILON; // 2⁻²³
// Results below FLT_MIN are denormal (or clamped at exp(−87.3)): only an absolute bound applies.
constexpr Real kFloor = 2 * static_cast<Real>(FLT_MIN);

/// Logits ±[2⁻³⁰, 100] and 0, every `stride`-th float between: ≈ 3 million values.
std::vector<float> logitSweep(std::uint32_t stride)
{
    std::vector<float> x{0.0f};
    const auto from = std::bit_cast<std::uint32_t>(0x1p-30f), to = std::bit_cast<std::uint32_t>(100.0f);
    for (std::uint32_t bits = from; bits <= to; bits += stride) {
        x.push_back(std::bit_cast<float>(bits));
        x.push_back(-std::bit_cast<float>(bits));
    }
    return x;
}

/// The worst error of a kernel in units of float's epsilon: max |got − want| / (bound · ε) over
/// the elements, where `bound` is what the error may scale with (the value, or for a difference
/// the sum of its terms' magnitudes).
class WorstError {
public:
    void add(Real got, Real want, Real bound)
    {
        const Real error = std::abs(got - want);
        if (error <= kFloor)
            return;
        m_worst = std::max(m_worst, static_cast<double>(error / (bound * kEpsilon)));
    }
    double epsilons() const { return m_worst; }

private:
    double m_worst = 0.0;
};

Real sigmoid(Real x)
{
    return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
}

} // namespace

class TestCrossEntropyAccuracy : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void sigmoidMatchesLongDouble_data();
    void sigmoidMatchesLongDouble();
    void softmaxMatchesLongDouble_data();
    void softmaxMatchesLongDouble();
    void valueDoesNotDependOnGradient();
};

void TestCrossEntropyAccuracy::initTestCase()
{
    qInfo("float path: %s", kernels::kVectorisedFloat ? "AVX-512 kernels" : "Eigen expressions");
}

void TestCrossEntropyAccuracy::sigmoidMatchesLongDouble_data()
{
    QTest::addColumn<float>("label");
    QTest::addColumn<double>("smoothing");
    QTest::newRow("z = 0") << 0.0f << 0.0;
    QTest::newRow("z = 1") << 1.0f << 0.0;
    QTest::newRow("z = 0.25") << 0.25f << 0.0;
    QTest::newRow("z = 1, smoothing 0.1") << 1.0f << 0.1;
}

void TestCrossEntropyAccuracy::sigmoidMatchesLongDouble()
{
    QFETCH(float, label);
    QFETCH(double, smoothing);
    const std::vector<float> sweep = logitSweep(211);
    const auto n = static_cast<Index>(sweep.size());
    const Tensor<float> x({n}, sweep), z({n}, std::vector<float>(sweep.size(), label));
    const auto result = sigmoidCrossEntropy(
        x, z, {.labelSmoothing = smoothing, .reduction = Reduction::None, .gradient = Gradient::Compute});

    const Real smoothed = label * (1 - static_cast<Real>(smoothing)) + static_cast<Real>(smoothing) / 2;
    WorstError loss, gradient;
    for (Index i = 0; i < n; ++i) {
        const Real xi = x[i];
        // Every term of the loss is ≥ 0 (max(x, 0) − x·z' is x(1 − z') or −x·z'): relative error,
        // plus the rounding of x·z' when it is inexact, which TF's formula in float cannot avoid
        // (z' = 0.95: x − 0.95x). The fused AVX-512 kernel does better than this bound there.
        const Real want = std::max(xi, Real(0)) - xi * smoothed + std::log1p(std::exp(-std::abs(xi)));
        const Real productRounding = smoothed == 0 || smoothed == 1 ? 0 : std::abs(xi * smoothed);
        loss.add(result.value[i], want, want + productRounding);
        const Real s = sigmoid(xi);
        gradient.add(result.gradient[i], s - smoothed, s + smoothed);
    }
    qInfo("%lld logits in ±[2^-30, 100]: loss within %.2f ε, gradient within %.2f ε of |σ| + |z'|",
          static_cast<long long>(n), loss.epsilons(), gradient.epsilons());
    QVERIFY2(loss.epsilons() <= 4.0, qPrintable(QString::number(loss.epsilons())));
    QVERIFY2(gradient.epsilons() <= 4.0, qPrintable(QString::number(gradient.epsilons())));
}

void TestCrossEntropyAccuracy::softmaxMatchesLongDouble_data()
{
    QTest::addColumn<Index>("classes");
    QTest::addColumn<double>("spread");
    QTest::addColumn<bool>("softLabels");
    QTest::addColumn<double>("smoothing");
    // Row lengths around the 16-lane vectors and the 256-element float blocks, and the 1000.
    for (Index classes : {1, 15, 16, 17, 1000, 4099})
        for (double spread : {2.0, 30.0, 1e4}) {
            const auto name = [&](const char* labels) {
                return QByteArray::number(classes) + " classes, logits ±" + QByteArray::number(spread) + ", " + labels;
            };
            QTest::newRow(name("one-hot")) << classes << spread << false << 0.0;
            QTest::newRow(name("one-hot, smoothing 0.2")) << classes << spread << false << 0.2;
            QTest::newRow(name("soft labels")) << classes << spread << true << 0.0;
        }
}

void TestCrossEntropyAccuracy::softmaxMatchesLongDouble()
{
    QFETCH(Index, classes);
    QFETCH(double, spread);
    QFETCH(bool, softLabels);
    QFETCH(double, smoothing);
    constexpr Index rows = 64;
    std::mt19937 rng(static_cast<unsigned>(classes));
    std::uniform_real_distribution<float> logit(static_cast<float>(-spread), static_cast<float>(spread));
    std::uniform_real_distribution<float> mass(0.0f, 1.0f);
    std::uniform_int_distribution<Index> pick(0, classes - 1);
    Tensor<float> x({rows, classes}), y({rows, classes});
    for (Index r = 0; r < rows; ++r) {
        float* labels = y.mutableData() + r * classes;
        for (Index c = 0; c < classes; ++c) {
            x.mutableData()[r * classes + c] = logit(rng);
            labels[c] = softLabels ? mass(rng) : 0.0f;
        }
        if (!softLabels)
            labels[pick(rng)] = 1.0f;
    }
    const auto result = softmaxCrossEntropy(
        x, y, {.labelSmoothing = smoothing, .reduction = Reduction::None, .gradient = Gradient::Compute});

    const Real keep = 1 - static_cast<Real>(smoothing), share = static_cast<Real>(smoothing) / static_cast<Real>(classes);
    WorstError loss, gradient;
    for (Index r = 0; r < rows; ++r) {
        const float* xr = x.data() + r * classes;
        const float* yr = y.data() + r * classes;
        Real max = xr[0], sumExp = 0, labelSum = 0, want = 0;
        for (Index c = 0; c < classes; ++c)
            max = std::max(max, Real(xr[c]));
        for (Index c = 0; c < classes; ++c)
            sumExp += std::exp(xr[c] - max);
        const Real lse = max + std::log(sumExp);
        for (Index c = 0; c < classes; ++c) {
            const Real label = keep * yr[c] + share;
            labelSum += label;
            want += label * (lse - xr[c]);
        }
        // log Σ exp carries an absolute error of a few ε however small the loss: bound by Σy' too.
        loss.add(result.value[r], want, want + labelSum);
        for (Index c = 0; c < classes; ++c) {
            const Real p = std::exp(xr[c] - max) / sumExp * labelSum, label = keep * yr[c] + share;
            // x − max rounds to float before exp, as in TF: a relative error of |x − max|·ε/2 in p.
            gradient.add(result.gradient[r * classes + c], p - label, p * (1 + std::abs(xr[c] - max)) + label);
        }
    }
    qInfo("loss within %.2f ε of loss + Σy', gradient within %.2f ε of |p·Σy'|·(1 + |x − max|) + |y'|", loss.epsilons(),
          gradient.epsilons());
    QVERIFY2(loss.epsilons() <= 4.0, qPrintable(QString::number(loss.epsilons())));
    QVERIFY2(gradient.epsilons() <= 4.0, qPrintable(QString::number(gradient.epsilons())));
}

void TestCrossEntropyAccuracy::valueDoesNotDependOnGradient()
{
    // The kernels skip the gradient's stores when it is not requested; the values must not move.
    Tensor<float> x({3, 1000}), y({3, 1000});
    std::mt19937 rng(3);
    std::normal_distribution<float> normal(0.0f, 2.0f);
    for (Index i = 0; i < x.size(); ++i) {
        x.mutableData()[i] = normal(rng);
        y.mutableData()[i] = i % 1000 == i / 1000 ? 1.0f : 0.0f;
    }
    for (Reduction r : {Reduction::None, Reduction::SumByNonzeroWeights}) {
        QVERIFY((sigmoidCrossEntropy(x, y, {.reduction = r}).value.storage() ==
                 sigmoidCrossEntropy(x, y, {.reduction = r, .gradient = Gradient::Compute}).value.storage())
                    .all());
        QVERIFY((softmaxCrossEntropy(x, y, {.reduction = r}).value.storage() ==
                 softmaxCrossEntropy(x, y, {.reduction = r, .gradient = Gradient::Compute}).value.storage())
                    .all());
    }
}

QTEST_APPLESS_MAIN(TestCrossEntropyAccuracy)
#include "tst_cross_entropy_accuracy.moc"
