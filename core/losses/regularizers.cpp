#include "core/losses/regularizers.h"
