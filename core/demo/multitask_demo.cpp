#include "core/demo/multitask_demo.h"

#include "core/losses/classification.h"
#include "core/losses/regression.h"
#include "core/losses/regularizers.h"
#include "core/losses/task_weighting.h"

#include <Eigen/Dense>

#include <random>
#include <stdexcept>

namespace losslens::demo {

namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;

constexpr int kInputs = 8, kHidden = 16, kClasses = 4, kPose = 2;
constexpr double kOrthogonality = 0.01;
const char* const kScene = "scene/xent";
const char* const kDepth = "depth/mse";
const char* const kPose_ = "pose/huber";

TensorView<double> view(const Matrix& m) { return {m.data(), {m.rows(), m.cols()}}; }

Matrix gaussian(Eigen::Index rows, Eigen::Index cols, double sd, std::mt19937& rng)
{
    std::normal_distribution<double> normal(0.0, sd);
    Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i)
        m.data()[i] = normal(rng);
    return m;
}

/// One dense layer y = x Wᵀ + b with its gradient buffers.
struct Dense {
    Matrix w;
    Vector b;
    Matrix gw;
    Vector gb;

    Dense(int in, int out, std::mt19937& rng)
        : w(gaussian(out, in, 1.0 / std::sqrt(in), rng)), b(Vector::Zero(out)), gw(Matrix::Zero(out, in)),
          gb(Vector::Zero(out))
    {
    }
    Matrix forward(const Matrix& x) const { return (x * w.transpose()).rowwise() + b.transpose(); }
    /// Accumulates parameter gradients for output gradient `g`; returns the input gradient.
    Matrix backward(const Matrix& x, const Matrix& g)
    {
        gw += g.transpose() * x;
        gb += g.colwise().sum().transpose();
        return g * w;
    }
    void descend(double learningRate)
    {
        w -= learningRate * gw;
        b -= learningRate * gb;
        gw.setZero();
        gb.setZero();
    }
};

} // namespace

void DemoOptions::validate() const
{
    if (batchSize < 1)
        throw std::invalid_argument("batch size must be at least 1");
    if (!(learningRate > 0.0))
        throw std::invalid_argument("learning rate must be positive");
    if (!(l2Scale >= 0.0))
        throw std::invalid_argument("L2 scale must be non-negative");
    if (stepsPerEpoch < 1)
        throw std::invalid_argument("steps per epoch must be at least 1");
}

struct MultiTaskDemo::Model {
    explicit Model(const DemoOptions& o)
        : options(o), rng(o.seed), teacher(std::mt19937(12345)), trunk(kInputs, kHidden, rng),
          scene(kHidden, kClasses, rng), depth(kHidden, 1, rng), pose(kHidden, kPose, rng)
    {
    }

    struct Teacher { // fixed across seeds: every run learns the same tasks
        explicit Teacher(std::mt19937 r)
            : scene(gaussian(kClasses, kInputs, 1.0, r)), depth(gaussian(1, kInputs, 0.7, r)),
              pose(gaussian(kPose, kInputs, 0.5, r))
        {
        }
        Matrix scene, depth, pose;
    };

    DemoOptions options;
    std::mt19937 rng;
    Teacher teacher;
    Dense trunk, scene, depth, pose;
    UncertaintyWeighting uncertainty{{kScene, kDepth, kPose_}};
    DynamicWeightAverage dwa{{kScene, kDepth, kPose_}};
    LossCollection losses;
    std::int64_t step = 0;

    void train();
};

void MultiTaskDemo::Model::train()
{
    const int n = options.batchSize;
    const Matrix x = gaussian(n, kInputs, 1.0, rng);

    // Teacher targets, with label noise so the losses level off above zero.
    Matrix onehot = Matrix::Zero(n, kClasses);
    const Matrix sceneScores = x * teacher.scene.transpose() + gaussian(n, kClasses, 0.5, rng);
    for (int i = 0; i < n; ++i) {
        Eigen::Index label = 0;
        sceneScores.row(i).maxCoeff(&label);
        onehot(i, label) = 1.0;
    }
    const Matrix depthTrue = (x * teacher.depth.transpose()).array().sin().matrix() + gaussian(n, 1, 0.1, rng);
    const Matrix poseTrue = (x * teacher.pose.transpose()).array().tanh().matrix() * 2.0 + gaussian(n, kPose, 0.2, rng);

    // Forward.
    const Matrix h = trunk.forward(x).array().tanh().matrix();
    const Matrix logits = scene.forward(h), depthPred = depth.forward(h), posePred = pose.forward(h);

    losses.clear();
    const auto sceneLoss = softmaxCrossEntropy(view(logits), view(onehot), {.labelSmoothing = 0.1, .gradient = Gradient::Compute});
    const auto depthLoss = meanSquaredError(view(depthPred), view(depthTrue), {.gradient = Gradient::Compute});
    const auto poseLoss = huberLoss(view(posePred), view(poseTrue), {.gradient = Gradient::Compute});
    sceneLoss.addTo(losses, kScene);
    depthLoss.addTo(losses, kDepth);
    poseLoss.addTo(losses, kPose_);

    const Matrix gram = scene.w * scene.w.transpose() - Matrix::Identity(kClasses, kClasses);
    losses.addLoss("aux/orthogonality", kOrthogonality * 0.5 * gram.squaredNorm());

    const auto l2 = l2Regularizer<double>(options.l2Scale);
    losses.addRegularization("l2/trunk", l2(view(trunk.w)));
    losses.addRegularization("l2/heads", l2(view(scene.w)) + l2(view(depth.w)) + l2(view(pose.w)));

    switch (options.weighting) {
    case Weighting::Fixed: break;
    case Weighting::Uncertainty: uncertainty.apply(losses); break;
    case Weighting::DynamicWeightAverage: dwa.apply(losses); break;
    }
    const auto weightOf = [&](const char* task) { return losses.losses(task).front().weight; };

    // Backward: each head's gradient is its loss gradient times its task weight.
    const auto grad = [](const auto& result, Eigen::Index rows, Eigen::Index cols, double w) {
        return Matrix(Eigen::Map<const Matrix>(result.gradient.data(), rows, cols) * w);
    };
    Matrix gh = scene.backward(h, grad(sceneLoss, n, kClasses, weightOf(kScene)));
    gh += depth.backward(h, grad(depthLoss, n, 1, weightOf(kDepth)));
    gh += pose.backward(h, grad(poseLoss, n, kPose, weightOf(kPose_)));
    scene.gw += kOrthogonality * 2.0 * gram * scene.w;
    trunk.backward(x, (gh.array() * (1.0 - h.array().square())).matrix());
    // d(scale·Σw²/2)/dw = scale·w
    for (auto* layer : {&trunk, &scene, &depth, &pose}) {
        layer->gw += options.l2Scale * layer->w;
        layer->descend(options.learningRate);
    }

    if (options.weighting == Weighting::Uncertainty)
        uncertainty.step(losses, options.learningRate);
    if (options.weighting == Weighting::DynamicWeightAverage) {
        dwa.accumulate(losses);
        if ((step + 1) % options.stepsPerEpoch == 0)
            dwa.endEpoch();
    }
    ++step;
}

MultiTaskDemo::MultiTaskDemo(const DemoOptions& options)
{
    options.validate();
    m = std::make_unique<Model>(options);
}

MultiTaskDemo::~MultiTaskDemo() = default;
MultiTaskDemo::MultiTaskDemo(MultiTaskDemo&&) noexcept = default;
MultiTaskDemo& MultiTaskDemo::operator=(MultiTaskDemo&&) noexcept = default;

const LossCollection& MultiTaskDemo::trainStep()
{
    m->train();
    return m->losses;
}

std::int64_t MultiTaskDemo::step() const { return m->step; }

} // namespace losslens::demo
