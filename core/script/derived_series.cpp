#include "core/script/derived_series.h"

#include "core/script/expression.h"
#include "core/script/step_alignment.h"

#include <QJSEngine>

#include <algorithm>
#include <cctype>
#include <optional>

namespace losslens::script {

namespace {

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

/// True when `tag` appears in `text` as a whole word or between quotes.
bool mentions(const std::string& text, const std::string& tag)
{
    for (std::size_t at = text.find(tag); at != std::string::npos; at = text.find(tag, at + 1)) {
        const std::size_t end = at + tag.size();
        const char before = at > 0 ? text[at - 1] : ' ', after = end < text.size() ? text[end] : ' ';
        const bool quoted = (before == '"' || before == '\'' || before == '`') && after == before;
        if (quoted || (!isWordChar(before) && !isWordChar(after)))
            return true;
    }
    return false;
}

const Series* find(const std::vector<const Series*>& available, const std::string& tag)
{
    const auto it = std::find_if(available.begin(), available.end(), [&](const Series* s) { return s->tag() == tag; });
    return it == available.end() ? nullptr : *it;
}

std::string tagList(const std::vector<const Series*>& available)
{
    std::string out;
    for (const Series* s : available)
        out += (out.empty() ? "" : ", ") + s->tag();
    return out.empty() ? "(no series)" : out;
}

Series makeSeries(const std::string& name, Role role, const AlignedColumns& aligned, const std::vector<double>& values)
{
    Series out(name, role);
    out.setRole(role, true);
    out.append(aligned.steps, aligned.wallTimes, values);
    return out;
}

/// An object {tag: Float64Array} of aligned columns [first, last).
QJSValue columnsObject(ScriptEngine& engine, const std::vector<const Series*>& series, const AlignedColumns& aligned,
                       std::size_t first, std::size_t last)
{
    QJSValue object = engine.js().newObject();
    for (std::size_t k = first; k < last; ++k) {
        const auto column = aligned.values[k];
        object.setProperty(QString::fromStdString(series[k]->tag()),
                           engine.arrays().borrow(TensorView<double>(column.data(), Shape{static_cast<Index>(column.size())})));
    }
    return object;
}

/// The per-step values a script returned: n numbers, or one number repeated.
std::vector<double> valuesFrom(ScriptEngine& engine, const QJSValue& result, std::size_t n, const std::string& fn)
{
    if (result.isNumber())
        return std::vector<double>(n, result.toNumber());
    const std::string expected = fn + " must return an array of " + std::to_string(n) + " values (one per aligned step) or a number";
    if (!result.isObject() || result.isCallable() || !result.property(QStringLiteral("length")).isNumber())
        throw ScriptError(ScriptErrorKind::Result, expected + "; it returned " + result.toString().left(40).toStdString());
    std::optional<ArrayArg> values;
    try {
        values = engine.arrays().read(result, "the array " + fn + " returned");
    } catch (const std::invalid_argument& e) {
        throw ScriptError(ScriptErrorKind::Result, e.what());
    }
    if (static_cast<std::size_t>(values->size()) != n)
        throw ScriptError(ScriptErrorKind::Result, expected + "; it returned an array of shape " + toString(values->shape()));
    const auto view = values->view();
    return std::vector<double>(view.data(), view.data() + view.size());
}

/// Loads `source` into `engine` (or a fresh one) and calls `fn` with the arguments `makeArgs` builds.
template <typename MakeArgs>
std::vector<double> runScript(ScriptEngine* engine, const std::string& source, const std::string& fn,
                              const std::string& signature, std::size_t n, MakeArgs makeArgs)
{
    std::optional<ScriptEngine> local;
    if (!engine)
        engine = &local.emplace();
    engine->load(source);
    const QJSValue function = engine->function(fn, signature);
    std::vector<double> values = valuesFrom(*engine, engine->call(function, makeArgs(*engine)), n, fn + "()");
    engine->finishCall();
    return values;
}

} // namespace

void DerivedSeriesSpec::validate() const
{
    if (name.empty())
        throw std::invalid_argument("a derived series needs a name (its tag)");
    if (source.find_first_not_of(" \t\r\n") == std::string::npos)
        throw std::invalid_argument("derived series '" + name + "' needs an expression or a script");
}

std::vector<const Series*> seriesUsedBy(const DerivedSeriesSpec& spec, const std::vector<const Series*>& available)
{
    std::vector<const Series*> used;
    if (spec.language == DerivedLanguage::Expression) {
        const Expression expression(spec.source);
        for (const std::string& name : expression.names()) {
            const Series* s = find(available, name);
            if (!s) {
                const auto at = spec.source.find(name);
                throw ScriptError(ScriptErrorKind::Runtime, "unknown series '" + name + "'; this run has " + tagList(available), 1,
                                  at == std::string::npos ? 0 : static_cast<int>(at) + 1);
            }
            used.push_back(s);
        }
        return used;
    }
    for (const Series* s : available)
        if (mentions(spec.source, s->tag()))
            used.push_back(s);
    if (used.empty())
        throw ScriptError(ScriptErrorKind::Runtime, "the script names none of this run's series (" + tagList(available) + ")");
    return used;
}

Series evaluateDerivedSeries(const DerivedSeriesSpec& spec, const std::vector<const Series*>& available, ScriptEngine* engine)
{
    spec.validate();
    const std::vector<const Series*> used = seriesUsedBy(spec, available);
    const AlignedColumns aligned = alignByStep(used);
    const std::size_t n = aligned.steps.size();
    if (spec.language == DerivedLanguage::Expression)
        return makeSeries(spec.name, spec.role, aligned, Expression(spec.source).evaluate(aligned.values, n));
    const auto values = runScript(engine, spec.source, "derive", "function derive(series, steps)", n, [&](ScriptEngine& e) {
        std::vector<double> steps(aligned.steps.begin(), aligned.steps.end()); // copied below: doubles for JS
        return QJSValueList{columnsObject(e, used, aligned, 0, used.size()),
                            e.arrays().copyOf(TensorView<double>(steps.data(), Shape{static_cast<Index>(n)}))};
    });
    return makeSeries(spec.name, spec.role, aligned, values);
}

Series evaluateDerivedSeries(const DerivedSeriesSpec& spec, const Run& run, ScriptEngine* engine)
{
    std::vector<const Series*> available;
    for (const auto& s : run.allSeries())
        available.push_back(s.get());
    return evaluateDerivedSeries(spec, available, engine);
}

Series evaluateRecipe(const RecipeSpec& recipe, const std::vector<const Series*>& available, ScriptEngine* engine)
{
    std::vector<const Series*> used;
    for (Role role : {Role::Component, Role::Regularization})
        for (const Series* s : available)
            if (s->role() == role)
                used.push_back(s);
    const auto components = static_cast<std::size_t>(
        std::count_if(used.begin(), used.end(), [](const Series* s) { return s->role() == Role::Component; }));
    if (components == 0)
        throw std::invalid_argument("a recipe needs at least one series with the role 'component'");
    const AlignedColumns aligned = alignByStep(used);
    const std::size_t n = aligned.steps.size();
    const auto values = runScript(engine, recipe.source, "total", "function total(components, regularization, args)", n,
                                  [&](ScriptEngine& e) {
                                      QJSValue args = e.js().newObject();
                                      // Not a structured binding: clang before 16 cannot capture one in a lambda.
                                      for (const auto& arg : recipe.args)
                                          std::visit([&, &key = arg.first](const auto& v) {
                                              if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>)
                                                  args.setProperty(QString::fromStdString(key), QString::fromStdString(v));
                                              else
                                                  args.setProperty(QString::fromStdString(key), v);
                                          }, arg.second);
                                      return QJSValueList{columnsObject(e, used, aligned, 0, components),
                                                          columnsObject(e, used, aligned, components, used.size()), args};
                                  });
    return makeSeries(recipe.name, Role::Total, aligned, values);
}

} // namespace losslens::script
