#include "core/losses/classification.h"
