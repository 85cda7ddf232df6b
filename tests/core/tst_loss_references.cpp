// Every loss against independent reference values: PyTorch 1.13 (torch.nn.functional, autograd)
// for the torch family, and TF1's losses_impl.py rules written out in numpy/torch for the TF family.
// Values and gradients come from tests/reference/make_*_references.py.

#include "reference_cases.h"

#include <QtTest>

using namespace losslens;
using losslens::test::ReferenceCase;

class TestLossReferences : public QObject {
    Q_OBJECT

private slots:
    void matchesReference_data();
    void matchesReference();
    void everyRegisteredLossHasReferences();
};

void TestLossReferences::matchesReference_data()
{
    QTest::addColumn<std::shared_ptr<const ReferenceCase>>("reference");
    for (const auto& c : test::loadReferenceCases())
        QTest::newRow((c->file + ":" + c->loss.id).c_str()) << c;
}

void TestLossReferences::matchesReference()
{
    QFETCH(std::shared_ptr<const ReferenceCase>, reference);
    const LossCase& c = reference->loss;
    QVERIFY2(c.problem.empty(), c.problem.c_str());
    const auto& registry = LossRegistry::builtin();

    if (c.expectedError) {
        try {
            registry.evaluate(c.fn, c.inputs, c.args, Gradient::Compute);
            QFAIL(("no error; expected one containing '" + *c.expectedError + "'").c_str());
        } catch (const std::invalid_argument& e) {
            const std::string message = e.what();
            QVERIFY2(message.find(*c.expectedError) != std::string::npos,
                     ("error '" + message + "' does not mention '" + *c.expectedError + "'").c_str());
        }
        return;
    }
    QVERIFY2(c.expectedValue.has_value(), "reference case without expected value or error");
    const auto result = registry.evaluate(c.fn, c.inputs, c.args, Gradient::Compute);
    QString why;
    QVERIFY2(test::compareTensors(result.value, *c.expectedValue, 1e-9, 1e-12, &why), qPrintable("value: " + why));
    if (c.expectedGradient) {
        QVERIFY2(result.gradient.present(), "no gradient returned");
        QVERIFY2(test::compareTensors(result.gradient, *c.expectedGradient, 1e-8, 1e-12, &why),
                 qPrintable("gradient: " + why));
    }
}

void TestLossReferences::everyRegisteredLossHasReferences()
{
    std::set<std::string> covered;
    for (const auto& c : test::loadReferenceCases())
        if (c->loss.expectedValue)
            covered.insert(c->loss.fn);
    for (const auto& name : LossRegistry::builtin().names())
        QVERIFY2(covered.count(name), ("no reference value for " + name).c_str());
}

QTEST_APPLESS_MAIN(TestLossReferences)
#include "tst_loss_references.moc"
