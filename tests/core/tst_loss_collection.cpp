// LossCollection against slim.losses' collection semantics (get_losses(scope) with tf's
// get_collection regex-at-start rule, get_regularization_losses, get_total_loss), and the task
// weighting schemes against their papers' formulas written out.

#include "core/losses/loss_collection.h"
#include "core/losses/task_weighting.h"
#include "printers.h"

#include <QtTest>

#include <cmath>

using namespace losslens;

class TestLossCollection : public QObject {
    Q_OBJECT

private slots:
    void init();
    void scopesMatchAtTheStart_data();
    void scopesMatchAtTheStart();
    void totalWithAndWithoutRegularization();
    void weightsScaleTheTotal();
    void addingANameTwiceReplaces();
    void snapshotHasEveryValue();
    void rejectsBadInput();
    void uncertaintyWeightingTotal();
    void uncertaintyGradientMatchesFiniteDifference();
    void dynamicWeightAverageFormula();
    void dynamicWeightAverageOverEpochs();

private:
    LossCollection m_losses;
};

void TestLossCollection::init()
{
    m_losses.clear();
    m_losses.addLoss("scene/xent", 0.5);
    m_losses.addLoss("depth/mse", 0.25);
    m_losses.addLoss("depth2/l1", 0.125);
    m_losses.addLoss("pose/geodesic", 1.0);
    m_losses.addRegularization("l2/trunk", 0.01);
    m_losses.addRegularization("l2/depth_head", 0.02);
}

void TestLossCollection::scopesMatchAtTheStart_data()
{
    QTest::addColumn<QString>("scope");
    QTest::addColumn<int>("count");
    QTest::addColumn<double>("total");
    QTest::newRow("everything") << "" << 4 << 1.875;
    QTest::newRow("depth prefix also matches depth2") << "depth" << 2 << 0.375;
    QTest::newRow("depth/ scope") << "depth/" << 1 << 0.25;
    QTest::newRow("regex alternation") << "scene|pose" << 2 << 1.5;
    QTest::newRow("not at the start") << "mse" << 0 << 0.0;
}

void TestLossCollection::scopesMatchAtTheStart()
{
    QFETCH(QString, scope);
    QFETCH(int, count);
    QFETCH(double, total);
    QCOMPARE(int(m_losses.losses(scope.toStdString()).size()), count);
    QCOMPARE(m_losses.totalLoss(Regularization::Exclude, scope.toStdString()), total);
}

void TestLossCollection::totalWithAndWithoutRegularization()
{
    QCOMPARE(m_losses.regularizationLosses().size(), std::size_t(2));
    QCOMPARE(m_losses.regularizationLoss(), 0.03);
    QCOMPARE(m_losses.totalLoss(), 1.875 + 0.03);
    QCOMPARE(m_losses.totalLoss(Regularization::Exclude), 1.875);
    // A scope filters regularization too (slim: get_regularization_losses(scope)).
    QCOMPARE(m_losses.totalLoss(Regularization::Include, "l2/trunk"), 0.01);
}

void TestLossCollection::weightsScaleTheTotal()
{
    m_losses.setWeight("pose/geodesic", 0.5);
    QCOMPARE(m_losses.totalLoss(Regularization::Exclude), 1.375);
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, m_losses.setWeight("nope", 1.0));
}

void TestLossCollection::addingANameTwiceReplaces()
{
    m_losses.addLoss("scene/xent", 0.75);
    QCOMPARE(m_losses.losses("scene").size(), std::size_t(1));
    QCOMPARE(m_losses.losses("scene").front().value, 0.75);
}

void TestLossCollection::snapshotHasEveryValue()
{
    m_losses.setWeight("scene/xent", 2.0);
    const LossSnapshot s = m_losses.snapshot(1200);
    QCOMPARE(s.step, 1200);
    QCOMPARE(s.value("scene/xent"), 0.5);
    QCOMPARE(s.value("task_weight/scene/xent"), 2.0);
    QCOMPARE(s.value("l2/trunk"), 0.01);
    QCOMPARE(s.value("regularization_loss"), 0.03);
    QCOMPARE(s.value("total_loss"), 2.375 + 0.03);
    const auto role = [&](std::string_view tag) {
        for (const auto& e : s.entries)
            if (e.tag == tag)
                return e.role;
        return Role::Other;
    };
    QCOMPARE(role("depth/mse"), Role::Component);
    QCOMPARE(role("l2/depth_head"), Role::Regularization);
    QCOMPARE(role("total_loss"), Role::Total);
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, s.value("absent"));

    // With unit weights the snapshot does not repeat them.
    LossCollection plain;
    plain.addLoss("a", 1.0);
    for (const auto& e : plain.snapshot(0).entries)
        QVERIFY(e.tag.rfind("task_weight/", 0) != 0);
}

void TestLossCollection::rejectsBadInput()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m_losses.addLoss("", 1.0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m_losses.addLoss("x", 1.0, qQNaN()));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, m_losses.losses("depth["));
    // A NaN loss is kept: it is exactly what the user needs to see.
    m_losses.addLoss("broken", qQNaN());
    QVERIFY(std::isnan(m_losses.totalLoss()));
}

void TestLossCollection::uncertaintyWeightingTotal()
{
    LossCollection losses;
    losses.addLoss("scene", 2.0);
    losses.addLoss("depth", 0.5);
    UncertaintyWeighting weighting({"scene", "depth"}, 0.0);
    weighting.step(losses, 0.1); // s = −0.1·(−L/2 + 1/2): scene −0.05, depth +0.025
    QCOMPARE(weighting.logVariances()[0], 0.05);
    QCOMPARE(weighting.logVariances()[1], -0.025);
    weighting.apply(losses);
    // Kendall et al.: Σ Lᵢ/(2e^{sᵢ}) + sᵢ/2
    const double expected = 2.0 / (2 * std::exp(0.05)) + 0.05 / 2 + 0.5 / (2 * std::exp(-0.025)) - 0.025 / 2;
    QCOMPARE(losses.totalLoss(), expected);
    QCOMPARE(losses.snapshot(0).value("task_weight/scene"), 0.5 * std::exp(-0.05));
}

void TestLossCollection::uncertaintyGradientMatchesFiniteDifference()
{
    LossCollection losses;
    losses.addLoss("a", 1.7);
    losses.addLoss("b", 0.3);
    const auto totalAt = [](double sa, double sb) { // Σ Lᵢ/(2e^{sᵢ}) + sᵢ/2, written out
        return 1.7 / (2 * std::exp(sa)) + sa / 2 + 0.3 / (2 * std::exp(sb)) + sb / 2;
    };
    const UncertaintyWeighting weighting({"a", "b"}, 0.2);
    const auto g = weighting.gradient(losses);
    const double h = 1e-6;
    QVERIFY(std::abs(g[0] - (totalAt(0.2 + h, 0.2) - totalAt(0.2 - h, 0.2)) / (2 * h)) < 1e-8);
    QVERIFY(std::abs(g[1] - (totalAt(0.2, 0.2 + h) - totalAt(0.2, 0.2 - h)) / (2 * h)) < 1e-8);
}

void TestLossCollection::dynamicWeightAverageFormula()
{
    // Liu et al. eq. 7 by hand: ratios 0.5 and 1.0, T = 2 → e^{0.25}, e^{0.5}, scaled to sum to K = 2.
    const auto w = dynamicWeightAverage({1.0, 2.0}, {2.0, 2.0}, 2.0);
    const double a = std::exp(0.25), b = std::exp(0.5);
    QCOMPARE(w[0], 2 * a / (a + b));
    QCOMPARE(w[1], 2 * b / (a + b));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, dynamicWeightAverage({1.0}, {1.0, 2.0}));
}

void TestLossCollection::dynamicWeightAverageOverEpochs()
{
    DynamicWeightAverage dwa({"scene", "depth"});
    LossCollection losses;
    const auto epoch = [&](double scene, double depth) {
        losses.addLoss("scene", scene);
        losses.addLoss("depth", depth);
        dwa.accumulate(losses);
        dwa.endEpoch();
    };
    epoch(4.0, 1.0);
    QCOMPARE(dwa.weights(), (std::vector<double>{1.0, 1.0})); // the first two epochs use 1
    epoch(2.0, 1.0);
    QCOMPARE(dwa.weights(), dynamicWeightAverage({2.0, 1.0}, {4.0, 1.0}));
    dwa.apply(losses);
    QCOMPARE(losses.losses("depth").front().weight, dwa.weights()[1]);
}

QTEST_APPLESS_MAIN(TestLossCollection)
#include "tst_loss_collection.moc"
