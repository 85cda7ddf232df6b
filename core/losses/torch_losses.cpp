#include "core/losses/torch_losses.h"
