// The TF family through its typed C++ API, beyond what tests/data/references/tf_losses.json covers
// through the float64 registry: float against double (the fused float kernels), the one-pass path
// against the materialised one, values worked out by hand from TF1's formulas
// (tensorflow/python/ops/losses/losses_impl.py, written out in each row), the regularizer objects
// and the option checks.

#include "core/losses/classification.h"
#include "core/losses/regression.h"
#include "core/losses/regularizers.h"

#include <QtTest>

#include <cmath>
#include <functional>
#include <random>

using namespace losslens;

namespace {

using Compute = std::function<double()>;

template <typename T>
Tensor<T> uniform(const Shape& shape, unsigned seed, double low, double high)
{
    Tensor<T> t(shape);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(low, high);
    for (Index i = 0; i < t.size(); ++i)
        t.mutableData()[i] = static_cast<T>(u(rng));
    return t;
}

template <typename T>
Tensor<T> bits(const Shape& shape, unsigned seed)
{
    Tensor<T> t = uniform<T>(shape, seed, 0.0, 1.0);
    t.storage() = (t.storage() > T(0.5)).template cast<T>();
    return t;
}

template <typename To, typename From>
Tensor<To> cast(const Tensor<From>& from)
{
    return Tensor<To>(from.shape(), FlatArray<To>(from.storage().template cast<To>()));
}

/// One loss evaluated on T, from inputs generated in double: what floatMatchesDouble compares.
struct Evaluation {
    LossResult<float> single;
    LossResult<double> reference;
};
using Evaluate = std::function<Evaluation(Reduction, bool weighted)>;

// 2 × 1500 elements: more than one chunk of the one-pass kernels, with a ragged end.
const Shape kShape{2, 1500};

template <typename Loss>
Evaluation bothPrecisions(Loss loss)
{
    return {loss(float{}), loss(double{})};
}

} // namespace

Q_DECLARE_METATYPE(Compute)
Q_DECLARE_METATYPE(Evaluate)

class TestTfLosses : public QObject {
    Q_OBJECT

private slots:
    void floatMatchesDouble_data();
    void floatMatchesDouble();
    void onePassMatchesWeightedPath();
    void largeLogitsStayFiniteInFloat();
    void handWorkedValues_data();
    void handWorkedValues();
    void regularizers();
    void regularizerScaleChecks();
    void optionChecks_data();
    void optionChecks();
    void sparseLabelsAreSqueezed();
};

void TestTfLosses::floatMatchesDouble_data()
{
    QTest::addColumn<Evaluate>("evaluate");
    // The same random inputs in both precisions; weights per element (materialised path) or absent
    // (one-pass path).
    const auto x = uniform<double>(kShape, 1, -8.0, 8.0), z = bits<double>(kShape, 2);
    const auto p = uniform<double>(kShape, 3, 0.01, 0.99), w = uniform<double>(kShape, 4, 0.0, 2.0);
    const auto wRows = uniform<double>({2}, 5, 0.5, 2.0);
    Tensor<double> onehot(kShape);
    Tensor<Index> ids({2}, {7, 1234});
    onehot.mutableData()[7] = onehot.mutableData()[1500 + 1234] = 1.0;

    const auto row = [](const char* name, auto loss) { QTest::newRow(name) << Evaluate(loss); };
    row("sigmoid_cross_entropy", [=](Reduction r, bool weighted) {
        return bothPrecisions([&](auto t) {
            using T = decltype(t);
            const auto wt = cast<T>(w);
            return sigmoidCrossEntropy(cast<T>(x), cast<T>(z),
                                       {.weights = weighted ? TensorView<T>(wt) : TensorView<T>(),
                                        .labelSmoothing = 0.1, .reduction = r, .gradient = Gradient::Compute});
        });
    });
    row("softmax_cross_entropy", [=](Reduction r, bool weighted) {
        return bothPrecisions([&](auto t) {
            using T = decltype(t);
            const auto wt = cast<T>(wRows);
            return softmaxCrossEntropy(cast<T>(x), cast<T>(onehot),
                                       {.weights = weighted ? TensorView<T>(wt) : TensorView<T>(),
                                        .labelSmoothing = 0.2, .reduction = r, .gradient = Gradient::Compute});
        });
    });
    row("sparse_softmax_cross_entropy", [=](Reduction r, bool weighted) {
        return bothPrecisions([&](auto t) {
            using T = decltype(t);
            const auto wt = cast<T>(wRows);
            return sparseSoftmaxCrossEntropy(
                cast<T>(x), ids,
                {.weights = weighted ? TensorView<T>(wt) : TensorView<T>(), .reduction = r, .gradient = Gradient::Compute});
        });
    });
    const auto plain = [&](const char* name, auto loss, const Tensor<double>& a, const Tensor<double>& b) {
        row(name, [=](Reduction r, bool weighted) {
            return bothPrecisions([&](auto t) {
                using T = decltype(t);
                const auto wt = cast<T>(w);
                return loss(cast<T>(a), cast<T>(b),
                            LossOptions<T>{.weights = weighted ? TensorView<T>(wt) : TensorView<T>(),
                                           .reduction = r,
                                           .gradient = Gradient::Compute});
            });
        });
    };
    plain("mean_squared_error", [](const auto& a, const auto& b, const auto& o) { return meanSquaredError(a, b, o); }, x, z);
    plain("absolute_difference", [](const auto& a, const auto& b, const auto& o) { return absoluteDifference(a, b, o); }, x, z);
    plain("hinge_loss", [](const auto& a, const auto& b, const auto& o) { return hingeLoss(a, b, o); }, x, z);
    row("huber_loss", [=](Reduction r, bool weighted) {
        return bothPrecisions([&](auto t) {
            using T = decltype(t);
            const auto wt = cast<T>(w);
            return huberLoss(cast<T>(x), cast<T>(z),
                             {.weights = weighted ? TensorView<T>(wt) : TensorView<T>(), .delta = 2.0, .reduction = r,
                              .gradient = Gradient::Compute});
        });
    });
    row("log_loss", [=](Reduction r, bool weighted) {
        return bothPrecisions([&](auto t) {
            using T = decltype(t);
            const auto wt = cast<T>(w);
            return logLoss(cast<T>(p), cast<T>(z),
                           {.weights = weighted ? TensorView<T>(wt) : TensorView<T>(), .reduction = r,
                            .gradient = Gradient::Compute});
        });
    });
}

void TestTfLosses::floatMatchesDouble()
{
    QFETCH(Evaluate, evaluate);
    for (Reduction r : {Reduction::None, Reduction::Sum, Reduction::Mean, Reduction::SumOverBatchSize,
                        Reduction::SumByNonzeroWeights}) {
        for (bool weighted : {false, true}) {
            const auto [single, reference] = evaluate(r, weighted);
            QCOMPARE(single.value.shape(), reference.value.shape());
            QCOMPARE(single.gradient.shape(), reference.gradient.shape());
            // float keeps ~7 digits; the reduction sums in double either way.
            const double valueScale = reference.value.storage().abs().maxCoeff();
            const double worstValue = (single.value.storage() - reference.value.storage()).abs().maxCoeff();
            QVERIFY2(worstValue <= 1e-5 * valueScale + 1e-7,
                     qPrintable(QStringLiteral("%1 weights %2: value off by %3").arg(int(r)).arg(weighted).arg(worstValue)));
            const double gradientScale = reference.gradient.storage().abs().maxCoeff();
            const double worstGradient =
                (single.gradient.storage().template cast<double>() - reference.gradient.storage()).abs().maxCoeff();
            QVERIFY2(worstGradient <= 1e-5 * gradientScale + 1e-9,
                     qPrintable(QStringLiteral("%1 weights %2: gradient off by %3").arg(int(r)).arg(weighted).arg(worstGradient)));
        }
    }
}

void TestTfLosses::onePassMatchesWeightedPath()
{
    // Uniform weights take the one-pass chunked kernel; an all-ones weight tensor takes the
    // materialised path through WeightedReduction::reduce(). Both must agree.
    const auto x = uniform<float>(kShape, 7, -6.0, 6.0), z = bits<float>(kShape, 8);
    Tensor<float> ones(kShape, FlatArray<float>::Ones(kShape[0] * kShape[1]));
    for (Reduction r : {Reduction::Sum, Reduction::Mean, Reduction::SumByNonzeroWeights}) {
        const auto fused = sigmoidCrossEntropy(x, z, {.reduction = r, .gradient = Gradient::Compute});
        const auto weighted = sigmoidCrossEntropy(x, z, {.weights = ones, .reduction = r, .gradient = Gradient::Compute});
        QVERIFY(std::abs(fused.scalar() - weighted.scalar()) <= 1e-6 * std::abs(weighted.scalar()));
        QVERIFY((fused.gradient.storage() - weighted.gradient.storage()).abs().maxCoeff() <= 1e-7f);
    }
}

void TestTfLosses::largeLogitsStayFiniteInFloat()
{
    // ±1e4 logits: the stable forms keep every value and gradient finite (and exact here).
    const Tensor<float> logits({2, 3}, {1e4f, -1e4f, 0.0f, -1e4f, 1e4f, 3.0f});
    const Tensor<float> labels({2, 3}, {0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f});
    const auto sigmoid = sigmoidCrossEntropy(logits, labels, {.reduction = Reduction::None, .gradient = Gradient::Compute});
    QVERIFY(sigmoid.value.storage().allFinite());
    QVERIFY(sigmoid.gradient.storage().allFinite());
    QCOMPARE(sigmoid.value[0], 1e4); // max(x, 0) − x·z + log(1 + e^−|x|) with x = 1e4, z = 0
    QCOMPARE(sigmoid.value[1], 1e4); // x = −1e4, z = 1
    const auto softmax = softmaxCrossEntropy(logits, labels, {.reduction = Reduction::None, .gradient = Gradient::Compute});
    QCOMPARE(softmax.value[0], 2e4); // LSE ≈ 1e4, minus x₁ = −1e4
    QCOMPARE(softmax.value[1], 2e4);
    QVERIFY(softmax.gradient.storage().allFinite());
}

void TestTfLosses::handWorkedValues_data()
{
    QTest::addColumn<Compute>("compute");
    QTest::addColumn<double>("expected");
    const Tensor<double> p({1, 3}, {1.0, 2.0, 3.0}), y({1, 3}, {1.0, 1.0, 1.0}), w({1, 3}, {1.0, 0.0, 2.0});
    // Squared errors [0, 1, 4].
    QTest::newRow("mse default: (0 + 1 + 4) / 3") << Compute([=] { return meanSquaredError(p, y).scalar(); }) << 5.0 / 3.0;
    QTest::newRow("mse MEAN: (0 + 0 + 8) / (1 + 0 + 2)")
        << Compute([=] { return meanSquaredError(p, y, {.weights = w, .reduction = Reduction::Mean}).scalar(); }) << 8.0 / 3.0;
    QTest::newRow("mse SUM_BY_NONZERO_WEIGHTS: 8 / 2")
        << Compute([=] { return meanSquaredError(p, y, {.weights = w}).scalar(); }) << 4.0;
    QTest::newRow("sum_of_squares = mse") << Compute([=] { return sumOfSquares(p, y, {.weights = w}).scalar(); }) << 4.0;
    QTest::newRow("absolute_difference SUM: 0 + 1 + 2")
        << Compute([=] { return absoluteDifference(p, y, {.reduction = Reduction::Sum}).scalar(); }) << 3.0;
    QTest::newRow("huber δ=1 SUM: 0 + ½ + (½ + 1)")
        << Compute([=] { return huberLoss(p, y, {.reduction = Reduction::Sum}).scalar(); }) << 2.0;
    QTest::newRow("hinge: relu(1 − 2), relu(1 − 0.5)") << Compute([] {
        return hingeLoss(Tensor<double>({2}, {2.0, -0.5}), Tensor<double>({2}, {1.0, 0.0})).scalar();
    }) << 0.25;
    QTest::newRow("log_loss ε=0: −log ½") << Compute([] {
        return logLoss(Tensor<double>({1}, {0.5}), Tensor<double>({1}, {1.0}), {.epsilon = 0.0}).scalar();
    }) << std::log(2.0);
    QTest::newRow("sigmoid at 0: log 2") << Compute([] {
        return sigmoidCrossEntropy(Tensor<double>({2}, {0.0, 0.0}), Tensor<double>({2}, {1.0, 0.0})).scalar();
    }) << std::log(2.0);
    QTest::newRow("sigmoid smoothing 1: z' = ½, x = 2: 2 − 1 + log(1 + e⁻²)") << Compute([] {
        return sigmoidCrossEntropy(Tensor<double>({1}, {2.0}), Tensor<double>({1}, {1.0}), {.labelSmoothing = 1.0}).scalar();
    }) << 1.0 + std::log1p(std::exp(-2.0));
    QTest::newRow("softmax uniform logits: log 4") << Compute([] {
        return softmaxCrossEntropy(Tensor<double>({1, 4}), Tensor<double>({1, 4}, {1, 0, 0, 0}), {.labelSmoothing = 0.1})
            .scalar();
    }) << std::log(4.0);
    QTest::newRow("sparse softmax [0, log 3]: log(1 + 3) − log 3") << Compute([] {
        return sparseSoftmaxCrossEntropy(Tensor<double>({1, 2}, {0.0, std::log(3.0)}), Tensor<Index>({1}, {1})).scalar();
    }) << std::log(4.0 / 3.0);
    QTest::newRow("cosine_distance: 1 − (1·0.6 + 0·0.8)") << Compute([] {
        return cosineDistance(Tensor<double>({1, 2}, {1.0, 0.0}), Tensor<double>({1, 2}, {0.6, 0.8}), 1).scalar();
    }) << 0.4;
    QTest::newRow("pairwise: ((1−2)² + (1−3)² + (2−3)²) / 3") << Compute([] {
        return meanPairwiseSquaredError(Tensor<double>({1, 3}, {1.0, 2.0, 3.0}), Tensor<double>({1, 3})).scalar();
    }) << 2.0;
    QTest::newRow("compute_weighted_loss SUM_OVER_BATCH_SIZE: (1·2 + 3·0) / 2") << Compute([] {
        return computeWeightedLoss(Tensor<double>({2}, {1.0, 3.0}),
                                   {.weights = Tensor<double>({2}, {2.0, 0.0}), .reduction = Reduction::SumOverBatchSize})
            .scalar();
    }) << 1.0;
    QTest::newRow("all-zero weights: 0, not NaN")
        << Compute([=] { return meanSquaredError(p, y, {.weights = Tensor<double>::scalar(0.0)}).scalar(); }) << 0.0;
}

void TestTfLosses::handWorkedValues()
{
    QFETCH(Compute, compute);
    QFETCH(double, expected);
    const double value = compute();
    QVERIFY2(std::abs(value - expected) <= 1e-12 * std::max(1.0, std::abs(expected)),
             qPrintable(QStringLiteral("%1, expected %2").arg(value, 0, 'g', 17).arg(expected, 0, 'g', 17)));
}

void TestTfLosses::regularizers()
{
    const Tensor<float> w({2, 2}, {1.0f, -2.0f, 0.0f, 3.0f});
    // slim: l1 = scale·Σ|w|, l2 = scale·Σw²/2, l1_l2 = both.
    QCOMPARE(l1Regularizer(0.1)(w), 0.1 * 6.0);
    QCOMPARE(l2Regularizer(0.5)(w), 0.5 * 14.0 / 2.0);
    QCOMPARE(l1L2Regularizer(0.1, 0.5)(w), 0.1 * 6.0 + 0.5 * 7.0);
    QCOMPARE(l2Regularizer(0.0)(Tensor<float>({1}, {NAN})), 0.0); // a zero scale disables it
    const Tensor<float> g = l1L2Regularizer(0.1, 0.5).gradient(w);
    QCOMPARE(g.shape(), w.shape());
    QCOMPARE(g[0], 0.1f + 0.5f * 1.0f);
    QCOMPARE(g[1], -0.1f + 0.5f * -2.0f);
    QCOMPARE(g[2], 0.0f); // sign(0) = 0, as TF's gradient of |w|
    const auto result = l2Regularizer<double>(2.0).evaluate(Tensor<double>({2}, {3.0, 4.0}));
    QCOMPARE(result.scalar(), 25.0);
    QCOMPARE(result.gradient[1], 8.0);
}

void TestTfLosses::regularizerScaleChecks()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, l1Regularizer(-0.1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, l2Regularizer<double>(NAN));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, l1L2Regularizer(0.1, -1.0));
}

void TestTfLosses::optionChecks_data()
{
    QTest::addColumn<Compute>("compute");
    QTest::addColumn<QString>("message");
    const Tensor<float> a({4, 5}), b({4, 3});
    QTest::newRow("shapes") << Compute([=] { return meanSquaredError(a, b).scalar(); })
                            << "predictions of shape [4, 5] and labels of shape [4, 3] must match";
    QTest::newRow("label smoothing") << Compute([=] { return sigmoidCrossEntropy(a, a, {.labelSmoothing = 1.5}).scalar(); })
                                     << "label_smoothing must be in [0, 1], got 1.5";
    QTest::newRow("delta") << Compute([=] { return huberLoss(a, a, {.delta = -1.0}).scalar(); }) << "delta must be >= 0";
    QTest::newRow("epsilon") << Compute([=] { return logLoss(a, a, {.epsilon = -1.0}).scalar(); }) << "epsilon must be >= 0";
    QTest::newRow("class id") << Compute([=] { return sparseSoftmaxCrossEntropy(a, Tensor<Index>({4}, {0, 1, 5, 2})).scalar(); })
                              << "labels[2] = 5 is outside the valid range of classes [0, 5)";
    QTest::newRow("axis") << Compute([=] { return cosineDistance(a, a, -3).scalar(); }) << "axis -3 is out of range";
    QTest::newRow("softmax rank") << Compute([] {
        const Tensor<float> x({2, 3, 4});
        return softmaxCrossEntropy(x, x).scalar();
    }) << "must be [batch, classes]";
}

void TestTfLosses::optionChecks()
{
    QFETCH(Compute, compute);
    QFETCH(QString, message);
    try {
        compute();
        QFAIL("no exception");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
    }
}

void TestTfLosses::sparseLabelsAreSqueezed()
{
    // TF1's _remove_squeezable_dimensions: labels [batch, 1] and weights [batch, 1] become [batch].
    const auto logits = uniform<double>({3, 4}, 9, -2.0, 2.0);
    const Tensor<Index> flat({3}, {0, 3, 1}), column({3, 1}, {0, 3, 1});
    const Tensor<double> w({3}, {1.0, 0.0, 2.0}), wColumn({3, 1}, {1.0, 0.0, 2.0});
    const auto a = sparseSoftmaxCrossEntropy(logits, flat, {.weights = w, .reduction = Reduction::None});
    const auto b = sparseSoftmaxCrossEntropy(logits, column, {.weights = wColumn, .reduction = Reduction::None});
    QCOMPARE(b.value.shape(), Shape{3});
    QVERIFY((a.value.storage() == b.value.storage()).all());
}

QTEST_APPLESS_MAIN(TestTfLosses)
#include "tst_tf_losses.moc"
