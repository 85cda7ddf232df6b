// The torch family's C++ API: what tests/data/references/torch_losses.json (PyTorch 1.13 through
// the registry, float64) cannot show — the float instantiation, the designated-initializer options,
// and the inputs LossLens rejects although torch accepts them silently.

#include "core/losses/torch_losses.h"

#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>

using namespace losslens;
namespace lt = losslens::torch;

Q_DECLARE_METATYPE(std::function<void()>)

class TestTorchLosses : public QObject {
    Q_OBJECT

private slots:
    void floatMatchesDouble_data();
    void floatMatchesDouble();
    void smoothingCountsZeroWeightTargets();
    void largeLogitsStayFiniteInFloat();
    void gradientOnlyOnRequest();
    void rejectsWhatTorchLetsThrough_data();
    void rejectsWhatTorchLetsThrough();
};

namespace {

// value and gradient of `f` for T = float and T = double on the same numbers.
using Pair = std::function<std::pair<LossResult<float>, LossResult<double>>()>;

template <typename T>
Tensor<T> tensor(Shape shape, std::initializer_list<double> values)
{
    std::vector<T> v;
    for (double x : values)
        v.push_back(static_cast<T>(x));
    return Tensor<T>(std::move(shape), v);
}

} // namespace

Q_DECLARE_METATYPE(Pair)

void TestTorchLosses::floatMatchesDouble_data()
{
    QTest::addColumn<Pair>("evaluate");
    const auto logits = [](auto t) { return tensor<decltype(t)>({2, 3}, {0.5, -1.0, 2.0, 0.1, 0.2, -0.3}); };
    const auto labels = [](auto t) { return tensor<decltype(t)>({2}, {2, 0}); };
    const auto other = [](auto t) { return tensor<decltype(t)>({2, 3}, {0.2, 0.3, 0.5, 0.6, 0.3, 0.1}); };
    const auto classWeight = [](auto t) { return tensor<decltype(t)>({3}, {0.5, 2.0, 1.0}); };

    QTest::newRow("cross_entropy") << Pair([=] {
        const auto f = logits(0.f), y = labels(0.f), w = classWeight(0.f);
        const auto d = logits(0.0), yd = labels(0.0), wd = classWeight(0.0);
        return std::pair{lt::crossEntropy(f, y, {.weight = w, .labelSmoothing = 0.1, .gradient = Gradient::Compute}),
                         lt::crossEntropy(d, yd, {.weight = wd, .labelSmoothing = 0.1, .gradient = Gradient::Compute})};
    });
    QTest::newRow("cross_entropy probabilities") << Pair([=] {
        return std::pair{lt::crossEntropy(logits(0.f), other(0.f), {.gradient = Gradient::Compute}),
                         lt::crossEntropy(logits(0.0), other(0.0), {.gradient = Gradient::Compute})};
    });
    QTest::newRow("nll_loss") << Pair([=] {
        return std::pair{lt::nllLoss(logits(0.f), labels(0.f), {.reduction = Reduction::Sum, .gradient = Gradient::Compute}),
                         lt::nllLoss(logits(0.0), labels(0.0), {.reduction = Reduction::Sum, .gradient = Gradient::Compute})};
    });
    QTest::newRow("binary_cross_entropy_with_logits") << Pair([=] {
        const auto pf = tensor<float>({3}, {1.0, 2.0, 0.5});
        const auto pd = tensor<double>({3}, {1.0, 2.0, 0.5});
        return std::pair{lt::binaryCrossEntropyWithLogits(logits(0.f), other(0.f), {.posWeight = pf, .gradient = Gradient::Compute}),
                         lt::binaryCrossEntropyWithLogits(logits(0.0), other(0.0), {.posWeight = pd, .gradient = Gradient::Compute})};
    });
    QTest::newRow("mse_loss") << Pair([=] {
        return std::pair{lt::mseLoss(logits(0.f), other(0.f), {.gradient = Gradient::Compute}),
                         lt::mseLoss(logits(0.0), other(0.0), {.gradient = Gradient::Compute})};
    });
    QTest::newRow("l1_loss") << Pair([=] {
        return std::pair{lt::l1Loss(logits(0.f), other(0.f), {.reduction = Reduction::None, .gradient = Gradient::Compute}),
                         lt::l1Loss(logits(0.0), other(0.0), {.reduction = Reduction::None, .gradient = Gradient::Compute})};
    });
    QTest::newRow("smooth_l1_loss") << Pair([=] {
        return std::pair{lt::smoothL1Loss(logits(0.f), other(0.f), {.beta = 0.5, .gradient = Gradient::Compute}),
                         lt::smoothL1Loss(logits(0.0), other(0.0), {.beta = 0.5, .gradient = Gradient::Compute})};
    });
    QTest::newRow("huber_loss") << Pair([=] {
        return std::pair{lt::huberLoss(logits(0.f), other(0.f), {.delta = 0.5, .gradient = Gradient::Compute}),
                         lt::huberLoss(logits(0.0), other(0.0), {.delta = 0.5, .gradient = Gradient::Compute})};
    });
    QTest::newRow("kl_div") << Pair([=] {
        const lt::KlDivOptions options{.reduction = Reduction::BatchMean, .gradient = Gradient::Compute};
        return std::pair{lt::klDiv(logits(0.f), other(0.f), options), lt::klDiv(logits(0.0), other(0.0), options)};
    });
}

void TestTorchLosses::floatMatchesDouble()
{
    QFETCH(Pair, evaluate);
    const auto [single, twice] = evaluate();
    QCOMPARE(single.value.shape(), twice.value.shape());
    for (Index i = 0; i < twice.value.size(); ++i)
        QVERIFY2(std::abs(single.value[i] - twice.value[i]) <= 1e-6 * (1.0 + std::abs(twice.value[i])),
                 qPrintable(QString::number(single.value[i]) + " vs " + QString::number(twice.value[i])));
    QVERIFY(single.gradient.present());
    QCOMPARE(single.gradient.shape(), twice.gradient.shape());
    for (Index i = 0; i < twice.gradient.size(); ++i)
        QVERIFY(std::abs(static_cast<double>(single.gradient[i]) - twice.gradient[i]) <= 1e-6);
}

void TestTorchLosses::smoothingCountsZeroWeightTargets()
{
    // ATen's cross_entropy_loss_label_smoothing, written out: with w = [0, 1] and targets [0, 1],
    // 'mean' = [(1−ε)·(0·a₀ + 1·b₁) + (ε/2)·(0·a₀ + 1·a₁ + 0·b₀ + 1·b₁)] / (0 + 1), where aᶜ, bᶜ are
    // −log p of class c for samples 0 and 1: sample 0 weighs nothing yet its smoothing term counts.
    const Tensor<double> x({2, 2}, {1.0, -1.0, 0.5, 2.0});
    const Tensor<double> y({2}, {0.0, 1.0});
    const Tensor<double> w({2}, {0.0, 1.0});
    const double eps = 0.2;
    const auto nlp = [&](Index i, Index c) {
        const double a = x[2 * i], b = x[2 * i + 1];
        const double m = std::max(a, b);
        return -(x[2 * i + c] - m - std::log(std::exp(a - m) + std::exp(b - m)));
    };
    const double expected = (1 - eps) * nlp(1, 1) + eps / 2 * (nlp(0, 1) + nlp(1, 1));
    const auto result = lt::crossEntropy(x, y, {.weight = w, .labelSmoothing = eps});
    QVERIFY(std::abs(result.scalar() - expected) <= 1e-14);
}

void TestTorchLosses::largeLogitsStayFiniteInFloat()
{
    const Tensor<float> x({2, 3}, {1e4f, -1e4f, 0.f, -1e4f, 1e4f, 1e4f});
    const Tensor<float> y({2}, {1.f, 0.f});
    const auto ce = lt::crossEntropy(x, y, {.labelSmoothing = 0.1, .gradient = Gradient::Compute});
    QVERIFY(std::isfinite(ce.scalar()));
    QVERIFY(ce.gradient.flat().allFinite());
    const auto bce = lt::binaryCrossEntropyWithLogits(x, Tensor<float>({2, 3}, {1, 0, 1, 0, 1, 0}),
                                                      {.gradient = Gradient::Compute});
    QVERIFY(std::isfinite(bce.scalar()));
    QVERIFY(bce.gradient.flat().allFinite());
}

void TestTorchLosses::gradientOnlyOnRequest()
{
    const Tensor<double> x({2}, {1.0, 2.0});
    QVERIFY(!lt::mseLoss(x, x).gradient.present());
    QVERIFY(lt::mseLoss(x, x, {.gradient = Gradient::Compute}).gradient.present());
}

void TestTorchLosses::rejectsWhatTorchLetsThrough_data()
{
    QTest::addColumn<std::function<void()>>("call");
    QTest::addColumn<QString>("message");
    static const Tensor<double> x({2, 3}, {0.5, -1.0, 2.0, 0.1, 0.2, -0.3});
    static const Tensor<double> y({2}, {2, 0});
    const double nan = std::numeric_limits<double>::quiet_NaN();

    // torch truncates non-integral indices when they are cast to long; here they are a mistake.
    QTest::newRow("fractional class index") << std::function<void()>([] {
        lt::crossEntropy(x, Tensor<double>({2}, {1.5, 0}));
    }) << "target[0] = 1.5 is not an integer class index";
    QTest::newRow("NaN class index") << std::function<void()>([nan] {
        lt::nllLoss(x, Tensor<double>({2}, {0, nan}));
    }) << "target[1] = nan is not an integer class index";
    // torch propagates NaN weights into every reduced value.
    QTest::newRow("NaN class weight") << std::function<void()>([nan] {
        lt::crossEntropy(x, y, {.weight = Tensor<double>({3}, {1, nan, 1})});
    }) << "weight contains NaN";
    QTest::newRow("NaN bce weight") << std::function<void()>([nan] {
        lt::binaryCrossEntropyWithLogits(x, x, {.weight = Tensor<double>({3}, {1, nan, 1})});
    }) << "weight contains NaN";
    QTest::newRow("NaN pos_weight") << std::function<void()>([nan] {
        lt::binaryCrossEntropyWithLogits(x, x, {.posWeight = Tensor<double>::scalar(nan)});
    }) << "pos_weight contains NaN";
    // torch 1.13 ignores a negative label_smoothing instead of rejecting it.
    QTest::newRow("negative label_smoothing") << std::function<void()>([] {
        lt::crossEntropy(x, y, {.labelSmoothing = -0.1});
    }) << "label_smoothing must be between 0 and 1";
    QTest::newRow("NaN label_smoothing") << std::function<void()>([nan] {
        lt::crossEntropy(x, y, {.labelSmoothing = nan});
    }) << "label_smoothing must be between 0 and 1";
    // torch broadcasts [2, 3] against [1, 3] with only a warning; almost always a bug.
    QTest::newRow("broadcastable target") << std::function<void()>([] {
        lt::mseLoss(x, Tensor<double>({1, 3}, {0, 0, 0}));
    }) << "target of shape [1, 3] does not match input of shape [2, 3]";
    QTest::newRow("kl_div broadcastable target") << std::function<void()>([] {
        lt::klDiv(x, Tensor<double>({3}, {0.2, 0.3, 0.5}));
    }) << "target of shape [3] does not match input of shape [2, 3]";
    QTest::newRow("BatchMean outside kl_div") << std::function<void()>([] {
        lt::huberLoss(x, x, {.reduction = Reduction::BatchMean});
    }) << "batchmean is not valid";
    QTest::newRow("NaN beta") << std::function<void()>([nan] {
        lt::smoothL1Loss(x, x, {.beta = nan});
    }) << "beta must be non-negative";
}

void TestTorchLosses::rejectsWhatTorchLetsThrough()
{
    QFETCH(std::function<void()>, call);
    QFETCH(QString, message);
    try {
        call();
        QFAIL("no exception");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
    }
}

QTEST_APPLESS_MAIN(TestTorchLosses)
#include "tst_torch_losses.moc"
