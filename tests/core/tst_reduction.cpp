// The shared reduction helper against TF1's compute_weighted_loss written out by hand
// (tensorflow/python/ops/losses/losses_impl.py: _safe_mean, _num_present, broadcast_weights).

#include "printers.h"

#include <QtTest>

using namespace losslens;

Q_DECLARE_METATYPE(losslens::Reduction)
Q_DECLARE_METATYPE(losslens::Shape)
Q_DECLARE_METATYPE(std::vector<double>)

class TestReduction : public QObject {
    Q_OBJECT

private slots:
    void reducesLikeTf1_data();
    void reducesLikeTf1();
    void broadcastsWeights();
    void noneKeepsShapeAndWeighs();
    void zeroDenominatorGivesZero();
    void rejectsBadWeights_data();
    void rejectsBadWeights();
    void parsesNames_data();
    void parsesNames();
};

// losses [[1, 2, 3], [4, 5, 6]] throughout.
void TestReduction::reducesLikeTf1_data()
{
    QTest::addColumn<Shape>("weightShape");
    QTest::addColumn<std::vector<double>>("weights");
    QTest::addColumn<Reduction>("reduction");
    QTest::addColumn<double>("expected");

    const Shape none{}, perSample{2, 1}, perElement{2, 3};
    QTest::newRow("absent SUM") << Shape{-1} << std::vector<double>{} << Reduction::Sum << 21.0;
    QTest::newRow("absent MEAN") << Shape{-1} << std::vector<double>{} << Reduction::Mean << 3.5;
    QTest::newRow("absent SUM_OVER_BATCH_SIZE") << Shape{-1} << std::vector<double>{} << Reduction::SumOverBatchSize << 3.5;
    QTest::newRow("absent SUM_BY_NONZERO_WEIGHTS") << Shape{-1} << std::vector<double>{} << Reduction::SumByNonzeroWeights << 3.5;
    QTest::newRow("absent BATCHMEAN") << Shape{-1} << std::vector<double>{} << Reduction::BatchMean << 10.5;
    // scalar 2: Σ = 42, Σw = 12, N = 6, nonzero = 6
    QTest::newRow("scalar SUM") << none << std::vector<double>{2} << Reduction::Sum << 42.0;
    QTest::newRow("scalar MEAN") << none << std::vector<double>{2} << Reduction::Mean << 3.5;
    QTest::newRow("scalar SUM_OVER_BATCH_SIZE") << none << std::vector<double>{2} << Reduction::SumOverBatchSize << 7.0;
    QTest::newRow("scalar SUM_BY_NONZERO_WEIGHTS") << none << std::vector<double>{2} << Reduction::SumByNonzeroWeights << 7.0;
    // per sample [[0], [2]]: Σwl = 30, Σw = 6, nonzero = 3
    QTest::newRow("per-sample SUM") << perSample << std::vector<double>{0, 2} << Reduction::Sum << 30.0;
    QTest::newRow("per-sample MEAN") << perSample << std::vector<double>{0, 2} << Reduction::Mean << 5.0;
    QTest::newRow("per-sample SUM_OVER_BATCH_SIZE") << perSample << std::vector<double>{0, 2} << Reduction::SumOverBatchSize << 5.0;
    QTest::newRow("per-sample SUM_BY_NONZERO_WEIGHTS") << perSample << std::vector<double>{0, 2} << Reduction::SumByNonzeroWeights << 10.0;
    // per element with a negative weight: Σwl = 1 - 2 + 0 + 4 + 5 + 6 = 14, Σw = 3, nonzero = 5
    const std::vector<double> w{1, -1, 0, 1, 1, 1};
    QTest::newRow("per-element SUM") << perElement << w << Reduction::Sum << 14.0;
    QTest::newRow("per-element MEAN") << perElement << w << Reduction::Mean << 14.0 / 3.0;
    QTest::newRow("per-element SUM_BY_NONZERO_WEIGHTS") << perElement << w << Reduction::SumByNonzeroWeights << 2.8;
}

void TestReduction::reducesLikeTf1()
{
    QFETCH(Shape, weightShape);
    QFETCH(std::vector<double>, weights);
    QFETCH(Reduction, reduction);
    QFETCH(double, expected);

    const Tensor<double> losses({2, 3}, {1, 2, 3, 4, 5, 6});
    const bool absent = weightShape == Shape{-1};
    const Tensor<double> w = absent ? Tensor<double>() : Tensor<double>(weightShape, weights);
    const WeightedReduction r(losses.shape(), TensorView<double>(w), reduction);
    const auto value = r.reduce(losses.flat());
    QCOMPARE(value.rank(), 0);
    QCOMPARE(value.item(), expected);
}

void TestReduction::broadcastsWeights()
{
    // [1, 3] weights over [2, 3] losses repeat along the batch.
    const Tensor<float> w({1, 3}, {1.f, 2.f, 3.f});
    const WeightedReduction r({2, 3}, TensorView<float>(w), Reduction::Sum);
    QCOMPARE(r.weight(0), 1.0);
    QCOMPARE(r.weight(4), 2.0);
    QCOMPARE(r.weight(5), 3.0);
}

void TestReduction::noneKeepsShapeAndWeighs()
{
    const Tensor<double> losses({2, 2}, {1, 2, 3, 4});
    const Tensor<double> w({2, 1}, {10, 0});
    const auto value = WeightedReduction(losses.shape(), TensorView<double>(w), Reduction::None).reduce(losses.flat());
    QCOMPARE(value.shape(), (Shape{2, 2}));
    QCOMPARE(value[0], 10.0);
    QCOMPARE(value[1], 20.0);
    QCOMPARE(value[3], 0.0);
}

void TestReduction::zeroDenominatorGivesZero()
{
    // TF1's div_no_nan: all-zero weights give 0, not NaN, even with NaN losses masked out.
    const Tensor<double> losses({3}, {1, 2, 3});
    const auto zero = Tensor<double>::scalar(0.0);
    for (Reduction r : {Reduction::Mean, Reduction::SumByNonzeroWeights}) {
        const WeightedReduction reduction(losses.shape(), TensorView<double>(zero), r);
        QCOMPARE(reduction.reduce(losses.flat()).item(), 0.0);
        QCOMPARE(reduction.scale(0), 0.0);
    }
}

void TestReduction::rejectsBadWeights_data()
{
    QTest::addColumn<Shape>("weightShape");
    QTest::addColumn<std::vector<double>>("weights");
    QTest::addColumn<QString>("message");
    QTest::newRow("rank") << Shape{3} << std::vector<double>{1, 1, 1} << "same rank";
    QTest::newRow("dimension") << Shape{2, 2} << std::vector<double>{1, 1, 1, 1} << "dimension 1 must be 1 or 3";
    QTest::newRow("NaN scalar") << Shape{} << std::vector<double>{qQNaN()} << "contains NaN";
    QTest::newRow("NaN element") << Shape{2, 1} << std::vector<double>{1, qQNaN()} << "contains NaN";
}

void TestReduction::rejectsBadWeights()
{
    QFETCH(Shape, weightShape);
    QFETCH(std::vector<double>, weights);
    QFETCH(QString, message);
    const Tensor<double> w(weightShape, weights);
    try {
        WeightedReduction({2, 3}, TensorView<double>(w), Reduction::Sum);
        QFAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(QString(e.what()).contains(message), e.what());
    }
}

void TestReduction::parsesNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<Reduction>("reduction");
    QTest::newRow("TF upper") << "SUM_BY_NONZERO_WEIGHTS" << Reduction::SumByNonzeroWeights;
    QTest::newRow("tf.compat.v1 value") << "weighted_sum_by_nonzero_weights" << Reduction::SumByNonzeroWeights;
    QTest::newRow("TF mean") << "MEAN" << Reduction::Mean;
    QTest::newRow("torch none") << "none" << Reduction::None;
    QTest::newRow("torch batchmean") << "batchmean" << Reduction::BatchMean;
}

void TestReduction::parsesNames()
{
    QFETCH(QString, name);
    QFETCH(Reduction, reduction);
    QCOMPARE(parseReduction(name.toStdString()), reduction);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, parseReduction("average"));
}

QTEST_APPLESS_MAIN(TestReduction)
#include "tst_reduction.moc"
