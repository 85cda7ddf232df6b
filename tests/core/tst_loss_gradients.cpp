// Every loss's analytic gradient against finite differences, on every reference case.

#include "gradient_checker.h"
#include "reference_cases.h"

#include <QtTest>

using namespace losslens;
using losslens::test::ReferenceCase;

class TestLossGradients : public QObject {
    Q_OBJECT

private slots:
    void matchesFiniteDifferences_data();
    void matchesFiniteDifferences();
};

namespace {

// Finite differences are meaningless across a kink (|x|, hinge, huber's switch, the clamp of
// log_loss) or on non-finite inputs; those cases are left to the reference gradients alone.
bool hasNonFinite(const LossCase& c, const std::string& input)
{
    const auto& x = c.inputs.required(input);
    return !x.flat().allFinite();
}

} // namespace

void TestLossGradients::matchesFiniteDifferences_data()
{
    QTest::addColumn<std::shared_ptr<const ReferenceCase>>("reference");
    const auto& registry = LossRegistry::builtin();
    for (const auto& c : test::loadReferenceCases()) {
        if (c->loss.expectedError || !c->loss.problem.empty())
            continue;
        if (hasNonFinite(c->loss, registry.gradientInput(c->loss.fn)))
            continue;
        QTest::newRow((c->file + ":" + c->loss.id).c_str()) << c;
    }
}

void TestLossGradients::matchesFiniteDifferences()
{
    QFETCH(std::shared_ptr<const ReferenceCase>, reference);
    const LossCase& c = reference->loss;
    const auto& registry = LossRegistry::builtin();
    const std::string wrt = registry.gradientInput(c.fn);

    const auto result = registry.evaluate(c.fn, c.inputs, c.args, Gradient::Compute);
    QVERIFY(result.gradient.present());
    const auto sumAt = [&](const Tensor<double>& x) {
        LossInputs inputs = c.inputs;
        inputs.set(wrt, x);
        return registry.evaluate(c.fn, inputs, c.args).value.flat().sum();
    };
    const auto check = test::checkGradient(sumAt, c.inputs.required(wrt), result.gradient);
    QVERIFY2(check.ok, check.message().c_str());
}

QTEST_APPLESS_MAIN(TestLossGradients)
#include "tst_loss_gradients.moc"
