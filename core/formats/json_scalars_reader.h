#pragma once
// tensorboardX's SummaryWriter.export_scalars_to_json output.

#include "core/formats/reader.h"

namespace losslens::formats {

/// One JSON object: `{"<tag>": [[wall_time, step, value], …], …}`. The object is read once it is
/// complete (the file ends with its closing brace, or at the end of the file); records come out
/// tag by tag. Bare NaN/Infinity values are read; a malformed triple is a warning.
class JsonScalarsReader : public Reader {
public:
    using Reader::Reader;

protected:
    std::size_t parse(std::string_view data, bool atEnd) override;
};

} // namespace losslens::formats
