// M4 decimation keeps every extreme: drawn from the kept points, each pixel column spans the
// same [min, max] as drawn from all points, and the gaps of NaN/Inf values survive.

#include "core/analysis/decimation.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using namespace losslens::analysis;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Data {
    std::vector<double> x, y;
};

Data noisySeries(std::size_t n, unsigned seed, bool spikes)
{
    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0.0, 0.1);
    Data d;
    for (std::size_t i = 0; i < n; ++i) {
        d.x.push_back(double(i) * 0.5);
        double v = std::exp(-double(i) / double(n)) + noise(rng);
        if (spikes && i % 997 == 13)
            v += (i % 2 ? 50.0 : -50.0); // isolated spikes TensorBoard's sampling would hide
        d.y.push_back(v);
    }
    return d;
}

// Per column: the reference extremes from a full scan, compared with those of the kept points.
void checkColumns(const Data& d, const std::vector<std::size_t>& kept, double x0, double x1, std::size_t columns)
{
    QVERIFY(std::is_sorted(kept.begin(), kept.end()));
    QVERIFY(std::adjacent_find(kept.begin(), kept.end()) == kept.end());
    const double w = (x1 - x0) / double(columns);
    const auto column = [&](double x) { return std::min<std::size_t>(columns - 1, std::size_t((x - x0) / w)); };
    std::vector<double> lo(columns, INFINITY), hi(columns, -INFINITY), klo(columns, INFINITY), khi(columns, -INFINITY);
    std::vector<int> firstSeen(columns, 0), lastSeen(columns, 0);
    for (std::size_t i = 0; i < d.x.size(); ++i)
        if (d.x[i] >= x0 && d.x[i] <= x1 && std::isfinite(d.y[i]))
            lo[column(d.x[i])] = std::min(lo[column(d.x[i])], d.y[i]), hi[column(d.x[i])] = std::max(hi[column(d.x[i])], d.y[i]);
    for (std::size_t i : kept)
        if (d.x[i] >= x0 && d.x[i] <= x1 && std::isfinite(d.y[i]))
            klo[column(d.x[i])] = std::min(klo[column(d.x[i])], d.y[i]), khi[column(d.x[i])] = std::max(khi[column(d.x[i])], d.y[i]);
    for (std::size_t c = 0; c < columns; ++c) {
        QCOMPARE(klo[c], lo[c]);
        QCOMPARE(khi[c], hi[c]);
    }
}
} // namespace

class TestDecimation : public QObject {
    Q_OBJECT

private slots:
    void keepsEveryExtreme_data();
    void keepsEveryExtreme();
    void pyramidMinMaxMatchesScan();
    void pyramidFindsFirstOfTiedExtremes();
    void pyramidExtendedInChunksEqualsBuiltAtOnce();
    void manyRangesAtOnceEqualOneByOne();
    void pyramidKeepsTheSamePointsAsAScan_data();
    void pyramidKeepsTheSamePointsAsAScan();
    void keepsGapsAndEdges();
    void fewPointsAreKeptWhole();
    void integerSteps();
};

void TestDecimation::keepsEveryExtreme_data()
{
    QTest::addColumn<int>("points");
    QTest::addColumn<int>("columns");
    QTest::addColumn<double>("from");
    QTest::addColumn<double>("to");
    QTest::addColumn<bool>("pyramid");
    for (bool p : {false, true}) {
        const char* tag = p ? "pyramid" : "scan";
        QTest::addRow("100k full %s", tag) << 100000 << 1920 << 0.0 << 49999.5 << p;
        QTest::addRow("100k into 300 %s", tag) << 100000 << 300 << 0.0 << 49999.5 << p; // the pyramid's columns
        QTest::addRow("100k zoomed %s", tag) << 100000 << 800 << 12345.25 << 20000.0 << p;
        QTest::addRow("10k narrow %s", tag) << 10000 << 37 << 100.0 << 4000.0 << p;
        QTest::addRow("more columns than points %s", tag) << 300 << 1920 << 0.0 << 149.5 << p;
    }
}

void TestDecimation::keepsEveryExtreme()
{
    QFETCH(int, points);
    QFETCH(int, columns);
    QFETCH(double, from);
    QFETCH(double, to);
    QFETCH(bool, pyramid);
    const Data d = noisySeries(std::size_t(points), 3, true);
    const MinMaxPyramid pyr(d.y);
    const auto kept = m4Indices(d.x, d.y, from, to, std::size_t(columns), pyramid ? &pyr : nullptr);
    QVERIFY(kept.size() <= 5 * std::size_t(columns) + 2);
    checkColumns(d, kept, from, to, std::size_t(columns));
    // first and last point of the visible range are kept, and one beyond each edge
    const auto firstIn = std::size_t(std::lower_bound(d.x.begin(), d.x.end(), from) - d.x.begin());
    if (firstIn > 0)
        QCOMPARE(kept.front(), firstIn - 1);
    QVERIFY(std::binary_search(kept.begin(), kept.end(), firstIn));
}

void TestDecimation::pyramidMinMaxMatchesScan()
{
    const Data d = noisySeries(5000, 11, false);
    std::vector<double> y = d.y;
    y[77] = kNaN, y[1500] = INFINITY, y[1501] = -INFINITY;
    const MinMaxPyramid pyr(y);
    std::mt19937 rng(5);
    for (int trial = 0; trial < 2000; ++trial) {
        std::size_t a = rng() % y.size(), b = rng() % y.size();
        if (a > b)
            std::swap(a, b);
        ++b;
        std::size_t lo = MinMaxPyramid::npos, hi = MinMaxPyramid::npos;
        for (std::size_t i = a; i < b; ++i) {
            if (!std::isfinite(y[i]))
                continue;
            if (lo == MinMaxPyramid::npos || y[i] < y[lo])
                lo = i;
            if (hi == MinMaxPyramid::npos || y[i] > y[hi])
                hi = i;
        }
        const auto e = pyr.minMax(y, a, b);
        QCOMPARE(y[e.min], y[lo]);
        QCOMPARE(y[e.max], y[hi]);
    }
    QCOMPARE(pyr.nonFinite(), (std::vector<std::size_t>{77, 1500, 1501}));
}

// Quantised values tie often: the pyramid must return the first index of each extreme, as a scan does.
void TestDecimation::pyramidFindsFirstOfTiedExtremes()
{
    std::vector<double> y = noisySeries(20000, 7, false).y;
    for (double& v : y)
        v = std::round(v * 4.0) / 4.0;
    y[300] = kNaN, y[9000] = -INFINITY;
    const MinMaxPyramid pyr(y);
    std::mt19937 rng(9);
    for (int trial = 0; trial < 3000; ++trial) {
        std::size_t a = rng() % y.size(), b = rng() % y.size();
        if (a > b)
            std::swap(a, b);
        ++b;
        std::size_t lo = MinMaxPyramid::npos, hi = MinMaxPyramid::npos;
        for (std::size_t i = a; i < b; ++i)
            if (std::isfinite(y[i])) {
                if (lo == MinMaxPyramid::npos || y[i] < y[lo])
                    lo = i;
                if (hi == MinMaxPyramid::npos || y[i] > y[hi])
                    hi = i;
            }
        const auto e = pyr.minMax(y, a, b);
        QCOMPARE(e.min, lo);
        QCOMPARE(e.max, hi);
    }
}

// A live series grows: the pyramid extended chunk by chunk answers exactly as one built at once.
void TestDecimation::pyramidExtendedInChunksEqualsBuiltAtOnce()
{
    Data d = noisySeries(30000, 4, true);
    d.y[5] = kNaN, d.y[4096] = INFINITY, d.y[29999] = kNaN;
    MinMaxPyramid grown;
    std::mt19937 rng(2);
    const std::size_t chunks[] = {1, 7, 8, 9, 63, 64, 65, 511, 513, 4095};
    for (std::size_t n = 0; n < d.y.size();) {
        n = std::min(d.y.size(), n + chunks[rng() % std::size(chunks)]);
        const std::span<const double> prefix(d.y.data(), n);
        grown.extend(prefix);
        if (rng() % 20 != 0) // checking every step would take long; the last one is always checked
            continue;
        const MinMaxPyramid whole(prefix);
        QCOMPARE(grown.nonFinite(), whole.nonFinite());
        for (int trial = 0; trial < 50; ++trial) {
            const std::size_t a = rng() % n, b = a + 1 + rng() % (n - a);
            const auto g = grown.minMax(prefix, a, b), w = whole.minMax(prefix, a, b);
            QCOMPARE(g.min, w.min);
            QCOMPARE(g.max, w.max);
        }
    }
    const MinMaxPyramid whole(d.y);
    QCOMPARE(grown.size(), d.y.size());
    QCOMPARE(m4Indices(d.x, d.y, 0.0, d.x.back(), 1000, &grown), m4Indices(d.x, d.y, 0.0, d.x.back(), 1000, &whole));
    QCOMPARE(m4Indices(d.x, d.y, 0.0, d.x.back(), 1000, &grown), m4Indices(d.x, d.y, 0.0, d.x.back(), 1000));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, grown.extend(std::span<const double>(d.y.data(), 10)));
}

// The batched minMax answers each range exactly as a call for that range alone.
void TestDecimation::manyRangesAtOnceEqualOneByOne()
{
    std::vector<double> y = noisySeries(70000, 12, true).y;
    for (std::size_t i = 0; i < y.size(); i += 1013)
        y[i] = (i % 3 == 0) ? kNaN : (i % 3 == 1 ? INFINITY : -INFINITY);
    for (std::size_t i = 40000; i < 42000; ++i)
        y[i] = kNaN; // a range may hold no finite value at all
    const MinMaxPyramid pyr(y);
    std::mt19937 rng(21);
    std::vector<MinMaxPyramid::Range> ranges{{40100, 41900}, {0, 0}, {5, 6}, {0, y.size()}};
    for (int k = 0; k < 500; ++k) {
        const std::size_t a = rng() % y.size(), length = std::size_t(1) << (rng() % 16);
        ranges.push_back({a, std::min(y.size(), a + length)});
    }
    std::vector<MinMaxPyramid::Extremes> many(ranges.size());
    pyr.minMax(y, ranges, many);
    for (std::size_t k = 0; k < ranges.size(); ++k) {
        const auto one = pyr.minMax(y, ranges[k].begin, ranges[k].end);
        QCOMPARE(many[k].min, one.min);
        QCOMPARE(many[k].max, one.max);
    }
    QCOMPARE(many[0].min, MinMaxPyramid::npos);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, pyr.minMax(y, ranges, std::span(many).first(3)));
}

// The pyramid is only a faster way to the same answer: M4 with it keeps exactly the points a full
// scan keeps, ties (first extreme wins) and non-finite values included.
void TestDecimation::pyramidKeepsTheSamePointsAsAScan_data()
{
    QTest::addColumn<int>("points");
    QTest::addColumn<int>("columns");
    QTest::addColumn<double>("from");
    QTest::addColumn<double>("to");
    QTest::addColumn<bool>("quantised");
    QTest::addRow("1M into 1100") << 1000000 << 1100 << 0.0 << 499999.5 << false;
    QTest::addRow("1M zoomed, quantised") << 1000000 << 1100 << 30000.25 << 330000.0 << true;
    QTest::addRow("200k into 37") << 200000 << 37 << 0.0 << 99999.5 << true;
    QTest::addRow("columns just above the scan threshold") << 100000 << 238 << 0.0 << 25000.0 << false;
}

void TestDecimation::pyramidKeepsTheSamePointsAsAScan()
{
    QFETCH(int, points);
    QFETCH(int, columns);
    QFETCH(double, from);
    QFETCH(double, to);
    QFETCH(bool, quantised);
    Data d = noisySeries(std::size_t(points), 17, true);
    if (quantised)
        for (double& v : d.y)
            v = std::round(v * 8.0) / 8.0;
    for (std::size_t i = 777; i < d.y.size(); i += 25013)
        d.y[i] = i % 2 ? kNaN : INFINITY;
    const MinMaxPyramid pyr(d.y);
    QCOMPARE(m4Indices(d.x, d.y, from, to, std::size_t(columns), &pyr), m4Indices(d.x, d.y, from, to, std::size_t(columns)));
}

void TestDecimation::keepsGapsAndEdges()
{
    Data d = noisySeries(10000, 1, false);
    d.y[5000] = kNaN;
    d.y[7000] = INFINITY;
    const MinMaxPyramid pyr(d.y);
    for (const MinMaxPyramid* p : {static_cast<const MinMaxPyramid*>(nullptr), &pyr}) {
        const auto kept = m4Indices(d.x, d.y, 100.0, 4000.0, 100, p);
        QVERIFY(std::binary_search(kept.begin(), kept.end(), std::size_t(5000)));
        QVERIFY(std::binary_search(kept.begin(), kept.end(), std::size_t(7000)));
        QCOMPARE(kept.front(), std::size_t(199)); // x = 99.5, just left of the range
        QCOMPARE(kept.back(), std::size_t(8001)); // x = 4000.5, just right of it
    }
}

void TestDecimation::fewPointsAreKeptWhole()
{
    const std::vector<double> x{0, 1, 2, 3}, y{4, 3, 2, 1};
    QCOMPARE(m4Indices(x, y, 0, 3, 1000), (std::vector<std::size_t>{0, 1, 2, 3}));
    QCOMPARE(m4Indices(x, y, 0, 3, 0), std::vector<std::size_t>{});
    QCOMPARE(m4Indices(std::vector<double>{}, std::vector<double>{}, 0, 3, 10), std::vector<std::size_t>{});
}

void TestDecimation::integerSteps()
{
    std::vector<std::int64_t> steps;
    std::vector<double> y;
    for (int i = 0; i < 1000; ++i)
        steps.push_back(i * 10), y.push_back(i == 500 ? -9.0 : std::sin(i));
    const auto kept = m4Indices(steps, y, 0, 9990, 10);
    QVERIFY(std::binary_search(kept.begin(), kept.end(), std::size_t(500)));
    QVERIFY(kept.size() <= 40);
}

QTEST_APPLESS_MAIN(TestDecimation)
#include "tst_decimation.moc"
