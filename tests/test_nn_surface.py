"""API surface of ``ember.nn`` against PyTorch: names, signatures, layer reprs and state_dict layouts.

One test case per name or table row:

1. existence: the in-scope public names of ``torch.nn`` (classes, submodules), ``torch.nn.functional``, the
   top-level ``torch`` functions that are nn ops, ``torch.nn.init``, ``torch.nn.utils``, and module paths that
   programs import from directly; ``F.<name> is torch.<name>`` exactly where PyTorch shares one object;
2. signatures: parameter names, kinds and defaults equal PyTorch's, for class constructors, ``forward`` and the
   other public methods, functional, top-level, init and utils functions. PyTorch's reference signature is
   ``inspect.signature`` where it is introspectable; for C builtins it is the ATen schema of the op's first
   overload when the builtin is the ``torch.<name>`` object (``self`` read as ``input``, list defaults
   broadcast from a scalar), else the signature line that opens the builtin's docstring;
3. layers built with typical argument sets: repr, state_dict keys/shapes/dtypes/version metadata, attributes,
   class hierarchy and class data, construction warnings and errors, dtype/mode conversions, loading PyTorch
   state_dicts, and the same for layers under ``nn.utils`` (weight/spectral norm, parametrizations, fusion).

The tables list what ember matches; names left out of them are either excluded from the scope (``EXCLUDED``,
with the reason) or not there yet.
"""

from __future__ import annotations

import ast
import collections
import functools
import importlib
import inspect
import math
import pkgutil
import re
import typing
import warnings

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF

import ember
import ember.nn as enn
import ember.nn.functional as EF

# --------------------------------------------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------------------------------------------

_RNN = "recurrent layers are out of scope"
_ATTN = "attention / transformer stacks are out of scope"
_DIST = "multi-device / distributed wrapper"
_LAZYNORM = "lazy batch/instance-norm variants are out of scope"
_HELPER = "typing or __torch_function__ dispatch helper, not an op"

EXCLUDED = {
    # torch.nn classes
    "RNN": _RNN,
    "LSTM": _RNN,
    "GRU": _RNN,
    "RNNCell": _RNN,
    "LSTMCell": _RNN,
    "GRUCell": _RNN,
    "RNNBase": _RNN,
    "RNNCellBase": _RNN,
    "MultiheadAttention": _ATTN,
    "Transformer": _ATTN,
    "TransformerEncoder": _ATTN,
    "TransformerDecoder": _ATTN,
    "TransformerEncoderLayer": _ATTN,
    "TransformerDecoderLayer": _ATTN,
    "DataParallel": _DIST,
    "SyncBatchNorm": _DIST,
    "LazyBatchNorm1d": _LAZYNORM,
    "LazyBatchNorm2d": _LAZYNORM,
    "LazyBatchNorm3d": _LAZYNORM,
    "LazyInstanceNorm1d": _LAZYNORM,
    "LazyInstanceNorm2d": _LAZYNORM,
    "LazyInstanceNorm3d": _LAZYNORM,
    # torch.nn submodules
    "attention": _ATTN,
    "intrinsic": "quantization (fused modules) is out of scope",
    "qat": "quantization-aware training is out of scope",
    "quantizable": "quantization is out of scope",
    "quantized": "quantization is out of scope",
    "parallel": _DIST,
    # torch.nn.functional
    "multi_head_attention_forward": _ATTN,
    "scaled_dot_product_attention": _ATTN,
    "Callable": _HELPER,
    "DType": _HELPER,
    "Optional": _HELPER,
    "ScalingType": _HELPER,
    "SwizzleType": _HELPER,
    "Tensor": _HELPER,
    "boolean_dispatch": _HELPER,
    "handle_torch_function": _HELPER,
    "has_torch_function": _HELPER,
    "has_torch_function_unary": _HELPER,
    "has_torch_function_variadic": _HELPER,
    "assert_int_or_pair": _HELPER,
}

CLASSES = [
    "AdaptiveLogSoftmaxWithLoss", "Container", "LinearCrossEntropyLoss", "LinearCrossEntropyOptions",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d", "AlphaDropout", "AvgPool1d", "AvgPool2d", "AvgPool3d", "BCELoss", "BCEWithLogitsLoss",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "Bilinear", "Buffer", "CELU", "CTCLoss", "ChannelShuffle",
    "CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "CosineEmbeddingLoss",
    "CosineSimilarity", "CrossEntropyLoss", "CrossMapLRN2d", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
    "ELU", "Embedding", "EmbeddingBag", "FeatureAlphaDropout", "Flatten", "Fold", "FractionalMaxPool2d",
    "FractionalMaxPool3d", "GELU", "GLU", "GaussianNLLLoss", "GroupNorm", "Hardshrink", "Hardsigmoid",
    "Hardswish", "Hardtanh", "HingeEmbeddingLoss", "HuberLoss", "Identity", "InstanceNorm1d", "InstanceNorm2d",
    "InstanceNorm3d", "KLDivLoss", "L1Loss", "LPPool1d", "LPPool2d", "LPPool3d", "LayerNorm", "LazyConv1d",
    "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyLinear",
    "LeakyReLU", "Linear", "LocalResponseNorm", "LogSigmoid", "LogSoftmax", "MSELoss", "MarginRankingLoss",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "Mish", "Module",
    "ModuleDict", "ModuleList", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "NLLLoss",
    "NLLLoss2d", "PReLU", "PairwiseDistance", "Parameter", "ParameterDict", "ParameterList", "PixelShuffle",
    "PixelUnshuffle", "PoissonNLLLoss", "RMSNorm", "RReLU", "ReLU", "ReLU6", "ReflectionPad1d", "ReflectionPad2d",
    "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "SELU", "Sequential", "SiLU",
    "Sigmoid", "SmoothL1Loss", "SoftMarginLoss", "Softmax", "Softmax2d", "Softmin", "Softplus", "Softshrink",
    "Softsign", "Tanh", "Tanhshrink", "Threshold", "TripletMarginLoss", "TripletMarginWithDistanceLoss",
    "Unflatten", "Unfold", "UninitializedBuffer", "UninitializedParameter", "Upsample", "UpsamplingBilinear2d",
    "UpsamplingNearest2d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
]  # fmt: skip

FUNCTIONAL = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "affine_grid", "alpha_dropout", "avg_pool1d",
    "avg_pool2d", "avg_pool3d", "batch_norm", "bilinear", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "celu", "celu_", "channel_shuffle", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "cosine_embedding_loss", "cosine_similarity", "cross_entropy", "ctc_loss", "dropout",
    "dropout1d", "dropout2d", "dropout3d", "elu", "elu_", "embedding", "embedding_bag", "feature_alpha_dropout",
    "fold", "fractional_max_pool2d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices", "gaussian_nll_loss", "gelu", "glu", "grid_sample", "group_norm",
    "gumbel_softmax", "hardshrink", "hardsigmoid", "hardswish", "hardtanh", "hardtanh_", "hinge_embedding_loss",
    "huber_loss", "instance_norm", "interpolate", "kl_div", "l1_loss", "layer_norm", "leaky_relu", "leaky_relu_",
    "linear", "local_response_norm", "log_softmax", "logsigmoid", "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "margin_ranking_loss", "max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool2d_with_indices",
    "max_pool3d", "max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d", "mish", "mse_loss",
    "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss", "native_channel_shuffle",
    "nll_loss", "normalize", "one_hot", "pad", "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle",
    "poisson_nll_loss", "prelu", "relu", "relu6", "relu_", "rms_norm", "rrelu", "rrelu_", "selu", "selu_", "sigmoid",
    "silu", "smooth_l1_loss", "soft_margin_loss", "softmax", "softmin", "softplus", "softshrink", "softsign", "tanh",
    "tanhshrink", "threshold", "threshold_", "triplet_margin_loss", "triplet_margin_with_distance_loss", "unfold",
    "upsample", "upsample_bilinear", "upsample_nearest",
]  # fmt: skip

# top-level torch functions that are nn ops: the names torch shares with torch.nn.functional, and a few more
TOP_LEVEL = [
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "alpha_dropout", "alpha_dropout_", "avg_pool1d", "batch_norm",
    "bilinear", "binary_cross_entropy_with_logits", "cdist", "celu", "celu_", "channel_shuffle",
    "constant_pad_nd", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "cosine_embedding_loss", "cosine_similarity", "ctc_loss", "dropout", "dropout_", "embedding", "embedding_bag",
    "embedding_renorm_", "feature_alpha_dropout", "feature_alpha_dropout_", "feature_dropout", "feature_dropout_",
    "group_norm", "hardshrink", "hinge_embedding_loss", "instance_norm", "kl_div", "layer_norm", "log_softmax",
    "margin_ranking_loss", "max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool3d",
    "native_batch_norm", "native_channel_shuffle", "native_dropout", "native_group_norm", "native_layer_norm",
    "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle", "poisson_nll_loss", "prelu", "relu",
    "relu_", "rms_norm", "rrelu", "rrelu_", "selu", "selu_", "sigmoid", "softmax", "tanh", "threshold",
    "threshold_", "triplet_margin_loss",
]  # fmt: skip

INIT = [
    "calculate_gain", "constant", "constant_", "dirac", "dirac_", "eye", "eye_", "kaiming_normal", "kaiming_normal_",
    "kaiming_uniform", "kaiming_uniform_", "normal", "normal_", "ones_", "orthogonal", "orthogonal_", "sparse",
    "sparse_", "trunc_normal_", "uniform", "uniform_", "xavier_normal", "xavier_normal_", "xavier_uniform",
    "xavier_uniform_", "zeros_",
]  # fmt: skip

UTILS = [
    "clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
    "convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format", "fuse_conv_bn_eval",
    "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights", "get_total_norm",
    "parameters_to_vector", "remove_spectral_norm", "remove_weight_norm", "skip_init", "spectral_norm",
    "vector_to_parameters", "weight_norm",
    "parametrize.cached", "parametrize.is_parametrized", "parametrize.register_parametrization",
    "parametrize.remove_parametrizations", "parametrize.transfer_parametrizations_and_params",
    "parametrize.type_before_parametrizations",
    "parametrizations.orthogonal", "parametrizations.spectral_norm", "parametrizations.weight_norm",
    "stateless.functional_call",
]  # fmt: skip

SUBMODULES = ["functional", "init", "modules", "parameter", "utils", "utils.parametrize", "utils.parametrizations",
              "utils.stateless", "utils.fusion", "utils.clip_grad", "utils.convert_parameters", "utils.weight_norm",
              "utils.spectral_norm", "utils.memory_format", "utils.init"]  # fmt: skip

# public methods of Module and the containers (plus the protocol dunders they define)
METHODS = [
    "AdaptiveLogSoftmaxWithLoss.log_prob", "AdaptiveLogSoftmaxWithLoss.predict",
    "AdaptiveLogSoftmaxWithLoss.reset_parameters", "LinearCrossEntropyLoss.extra_repr",
    "Module.__call__", "Module.__delattr__", "Module.__dir__", "Module.__getattr__", "Module.__setattr__",
    "Module.__setstate__", "Module.add_module", "Module.apply", "Module.bfloat16", "Module.buffers",
    "Module.children", "Module.compile", "Module.cpu", "Module.cuda", "Module.double", "Module.eval",
    "Module.extra_repr", "Module.float", "Module.forward", "Module.get_buffer", "Module.get_extra_state",
    "Module.get_parameter", "Module.get_submodule", "Module.half", "Module.load_state_dict",
    "Module.named_buffers", "Module.named_children", "Module.named_modules", "Module.named_parameters",
    "Module.parameters", "Module.register_backward_hook", "Module.register_buffer",
    "Module.register_forward_hook", "Module.register_forward_pre_hook", "Module.register_full_backward_hook",
    "Module.register_full_backward_pre_hook", "Module.register_load_state_dict_post_hook",
    "Module.register_load_state_dict_pre_hook", "Module.register_module", "Module.register_parameter",
    "Module.register_state_dict_post_hook", "Module.register_state_dict_pre_hook", "Module.requires_grad_",
    "Module.set_extra_state", "Module.set_submodule", "Module.share_memory", "Module.state_dict", "Module.to",
    "Module.train", "Module.type", "Module.zero_grad", "Sequential.__add__", "Sequential.__delitem__",
    "Sequential.__dir__", "Sequential.__getitem__", "Sequential.__iadd__", "Sequential.__imul__",
    "Sequential.__iter__", "Sequential.__len__", "Sequential.__mul__", "Sequential.__rmul__",
    "Sequential.__setitem__", "Sequential.append", "Sequential.extend", "Sequential.forward", "Sequential.insert",
    "Sequential.pop", "ModuleList.__add__", "ModuleList.__delitem__", "ModuleList.__dir__",
    "ModuleList.__getitem__", "ModuleList.__iadd__", "ModuleList.__iter__", "ModuleList.__len__",
    "ModuleList.__setitem__", "ModuleList.append", "ModuleList.extend", "ModuleList.insert", "ModuleList.pop",
    "ModuleDict.__contains__", "ModuleDict.__delitem__", "ModuleDict.__getitem__", "ModuleDict.__iter__",
    "ModuleDict.__len__", "ModuleDict.__setitem__", "ModuleDict.clear", "ModuleDict.items", "ModuleDict.keys",
    "ModuleDict.pop", "ModuleDict.update", "ModuleDict.values", "ParameterList.__call__", "ParameterList.__dir__",
    "ParameterList.__getitem__", "ParameterList.__iadd__", "ParameterList.__iter__", "ParameterList.__len__",
    "ParameterList.__setitem__", "ParameterList.append", "ParameterList.extend", "ParameterList.extra_repr",
    "ParameterDict.__call__", "ParameterDict.__contains__", "ParameterDict.__delitem__",
    "ParameterDict.__getitem__", "ParameterDict.__iter__", "ParameterDict.__len__", "ParameterDict.__reversed__",
    "ParameterDict.__setitem__", "ParameterDict.clear", "ParameterDict.copy", "ParameterDict.extra_repr",
    "ParameterDict.fromkeys", "ParameterDict.get", "ParameterDict.items", "ParameterDict.keys",
    "ParameterDict.pop", "ParameterDict.popitem", "ParameterDict.setdefault", "ParameterDict.update",
    "ParameterDict.values",
    # the layers' own public methods (reset_parameters, extra_repr, from_pretrained, ...)
    "AdaptiveAvgPool1d.extra_repr", "AdaptiveAvgPool2d.extra_repr", "AdaptiveAvgPool3d.extra_repr",
    "AdaptiveMaxPool1d.extra_repr", "AdaptiveMaxPool2d.extra_repr", "AdaptiveMaxPool3d.extra_repr",
    "AlphaDropout.extra_repr", "AvgPool1d.extra_repr", "AvgPool2d.extra_repr", "AvgPool3d.extra_repr",
    "BatchNorm1d.extra_repr", "BatchNorm1d.reset_parameters", "BatchNorm1d.reset_running_stats",
    "BatchNorm2d.extra_repr", "BatchNorm2d.reset_parameters", "BatchNorm2d.reset_running_stats",
    "BatchNorm3d.extra_repr", "BatchNorm3d.reset_parameters", "BatchNorm3d.reset_running_stats",
    "Bilinear.extra_repr", "Bilinear.reset_parameters", "CELU.extra_repr", "ChannelShuffle.extra_repr",
    "CircularPad1d.extra_repr", "CircularPad2d.extra_repr", "CircularPad3d.extra_repr",
    "ConstantPad1d.extra_repr", "ConstantPad2d.extra_repr", "ConstantPad3d.extra_repr", "Conv1d.extra_repr",
    "Conv1d.reset_parameters", "Conv2d.extra_repr", "Conv2d.reset_parameters", "Conv3d.extra_repr",
    "Conv3d.reset_parameters", "ConvTranspose1d.extra_repr", "ConvTranspose1d.reset_parameters",
    "ConvTranspose2d.extra_repr", "CrossMapLRN2d.extra_repr", "ConvTranspose2d.reset_parameters", "ConvTranspose3d.extra_repr",
    "ConvTranspose3d.reset_parameters", "Dropout.extra_repr", "Dropout1d.extra_repr", "Dropout2d.extra_repr",
    "Dropout3d.extra_repr", "ELU.extra_repr", "Embedding.extra_repr", "Embedding.from_pretrained",
    "Embedding.reset_parameters", "EmbeddingBag.extra_repr", "EmbeddingBag.from_pretrained",
    "EmbeddingBag.reset_parameters", "FeatureAlphaDropout.extra_repr", "Flatten.extra_repr", "Fold.extra_repr",
    "GELU.extra_repr", "GLU.extra_repr", "GroupNorm.extra_repr", "GroupNorm.reset_parameters",
    "Hardshrink.extra_repr", "Hardtanh.extra_repr", "InstanceNorm1d.extra_repr",
    "InstanceNorm1d.reset_parameters", "InstanceNorm1d.reset_running_stats", "InstanceNorm2d.extra_repr",
    "InstanceNorm2d.reset_parameters", "InstanceNorm2d.reset_running_stats", "InstanceNorm3d.extra_repr",
    "InstanceNorm3d.reset_parameters", "InstanceNorm3d.reset_running_stats", "LPPool1d.extra_repr",
    "LPPool2d.extra_repr", "LPPool3d.extra_repr", "LayerNorm.extra_repr", "LayerNorm.reset_parameters",
    "LazyConv1d.cls_to_become", "LazyConv1d.extra_repr", "LazyConv1d.has_uninitialized_params",
    "LazyConv1d.initialize_parameters", "LazyConv1d.reset_parameters", "LazyConv2d.cls_to_become",
    "LazyConv2d.extra_repr", "LazyConv2d.has_uninitialized_params", "LazyConv2d.initialize_parameters",
    "LazyConv2d.reset_parameters", "LazyConv3d.cls_to_become", "LazyConv3d.extra_repr",
    "LazyConv3d.has_uninitialized_params", "LazyConv3d.initialize_parameters", "LazyConv3d.reset_parameters",
    "LazyConvTranspose1d.cls_to_become", "LazyConvTranspose1d.extra_repr",
    "LazyConvTranspose1d.has_uninitialized_params", "LazyConvTranspose1d.initialize_parameters",
    "LazyConvTranspose1d.reset_parameters", "LazyConvTranspose2d.cls_to_become", "LazyConvTranspose2d.extra_repr",
    "LazyConvTranspose2d.has_uninitialized_params", "LazyConvTranspose2d.initialize_parameters",
    "LazyConvTranspose2d.reset_parameters", "LazyConvTranspose3d.cls_to_become", "LazyConvTranspose3d.extra_repr",
    "LazyConvTranspose3d.has_uninitialized_params", "LazyConvTranspose3d.initialize_parameters",
    "LazyConvTranspose3d.reset_parameters", "LazyLinear.cls_to_become", "LazyLinear.extra_repr",
    "LazyLinear.has_uninitialized_params", "LazyLinear.initialize_parameters", "LazyLinear.reset_parameters",
    "LeakyReLU.extra_repr", "Linear.extra_repr", "Linear.reset_parameters", "LocalResponseNorm.extra_repr",
    "LogSoftmax.extra_repr", "MaxPool1d.extra_repr", "MaxPool2d.extra_repr", "MaxPool3d.extra_repr",
    "MaxUnpool1d.extra_repr", "MaxUnpool2d.extra_repr", "MaxUnpool3d.extra_repr", "Mish.extra_repr",
    "PReLU.extra_repr", "PReLU.reset_parameters", "PixelShuffle.extra_repr", "PixelUnshuffle.extra_repr",
    "RMSNorm.extra_repr", "RMSNorm.reset_parameters", "RReLU.extra_repr", "ReLU.extra_repr", "ReLU6.extra_repr",
    "ReflectionPad1d.extra_repr", "ReflectionPad2d.extra_repr", "ReflectionPad3d.extra_repr",
    "ReplicationPad1d.extra_repr", "ReplicationPad2d.extra_repr", "ReplicationPad3d.extra_repr",
    "SELU.extra_repr", "SiLU.extra_repr", "Softmax.extra_repr", "Softmin.extra_repr", "Softplus.extra_repr",
    "Softshrink.extra_repr", "Threshold.extra_repr", "Unflatten.extra_repr", "Unfold.extra_repr",
    "Upsample.extra_repr", "UpsamplingBilinear2d.extra_repr", "UpsamplingNearest2d.extra_repr",
    "ZeroPad1d.extra_repr", "ZeroPad2d.extra_repr", "ZeroPad3d.extra_repr"
]  # fmt: skip

# signature rows (section 2) for the functional and top-level tables
SIG_FUNCTIONAL = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "affine_grid", "alpha_dropout", "avg_pool1d",
    "avg_pool2d", "avg_pool3d", "batch_norm", "bilinear", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "celu", "channel_shuffle", "conv1d", "conv2d", "conv3d",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "cosine_embedding_loss", "cosine_similarity",
    "cross_entropy", "ctc_loss", "dropout", "dropout1d", "dropout2d", "dropout3d", "elu", "embedding",
    "celu_", "elu_", "hardtanh_", "leaky_relu_", "rrelu_", "selu_", "threshold_", "sigmoid", "tanh", "one_hot",
    "embedding_bag", "feature_alpha_dropout", "fold", "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices", "fractional_max_pool3d", "fractional_max_pool3d_with_indices",
    "gaussian_nll_loss", "gelu", "glu", "grid_sample", "group_norm", "gumbel_softmax", "hardshrink",
    "hardsigmoid", "hardswish", "hardtanh", "hinge_embedding_loss", "huber_loss", "instance_norm", "interpolate",
    "kl_div", "l1_loss", "layer_norm", "leaky_relu", "linear", "local_response_norm", "log_softmax", "logsigmoid",
    "lp_pool1d", "lp_pool2d", "lp_pool3d", "margin_ranking_loss", "max_pool1d", "max_pool1d_with_indices",
    "max_pool2d", "max_pool2d_with_indices", "max_pool3d", "max_pool3d_with_indices", "max_unpool1d",
    "max_unpool2d", "max_unpool3d", "mish", "mse_loss", "multi_margin_loss", "multilabel_margin_loss",
    "multilabel_soft_margin_loss", "native_channel_shuffle", "nll_loss", "normalize", "pad", "pairwise_distance",
    "pdist", "pixel_shuffle", "pixel_unshuffle", "poisson_nll_loss", "prelu", "relu", "relu6", "relu_",
    "rms_norm", "rrelu", "selu", "silu", "smooth_l1_loss", "soft_margin_loss", "softmax", "softmin", "softplus",
    "softshrink", "softsign", "tanhshrink", "threshold", "triplet_margin_loss",
    "triplet_margin_with_distance_loss", "unfold", "upsample", "upsample_bilinear", "upsample_nearest"
]  # fmt: skip

SIG_TOP_LEVEL = [
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "alpha_dropout", "alpha_dropout_", "avg_pool1d", "batch_norm",
    "bilinear", "binary_cross_entropy_with_logits", "cdist", "celu", "channel_shuffle", "constant_pad_nd",
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "cosine_embedding_loss", "cosine_similarity", "ctc_loss", "dropout", "dropout_", "embedding", "embedding_bag",
    "embedding_renorm_", "feature_alpha_dropout", "feature_alpha_dropout_", "feature_dropout", "feature_dropout_",
    "group_norm", "hardshrink", "hinge_embedding_loss", "instance_norm", "kl_div", "layer_norm",
    "margin_ranking_loss", "max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool3d",
    "native_batch_norm", "native_channel_shuffle", "native_dropout", "native_group_norm", "native_layer_norm",
    "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle", "poisson_nll_loss", "prelu", "relu",
    "relu_", "rms_norm", "rrelu", "selu", "sigmoid", "tanh", "threshold", "triplet_margin_loss",
    "celu_", "rrelu_", "selu_", "threshold_", "softmax", "log_softmax", "conv_tbc",
]  # fmt: skip


def _get(root, dotted):
    obj = root
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


# --------------------------------------------------------------------------------------------------------------
# Reference signatures
# --------------------------------------------------------------------------------------------------------------

_EMPTY = inspect.Parameter.empty
_POK = inspect.Parameter.POSITIONAL_OR_KEYWORD
_KWO = inspect.Parameter.KEYWORD_ONLY


def _is_generic(sig):
    """True for ``(*args, **kwargs)`` (optionally after ``self``/``cls``): a wrapper that hides the real one."""
    kinds = [p.kind for p in sig.parameters.values() if p.name not in ("self", "cls")]
    return kinds == [inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD]


def _params(sig):
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


def _docstring_params(fn):
    """Parameters of a C builtin from the ``name(args) -> ret`` line that opens its docstring."""
    first = (fn.__doc__ or "").strip().splitlines()[0]
    head = first.split("->")[0].strip()
    args = head[head.index("(") :]
    tree = ast.parse(f"def f{args}: pass").body[0].args
    out = []
    pos = tree.posonlyargs + tree.args
    defaults = [_EMPTY] * (len(pos) - len(tree.defaults)) + [_eval(d) for d in tree.defaults]
    out += [(a.arg, _POK, d) for a, d in zip(pos, defaults)]
    for a, d in zip(tree.kwonlyargs, tree.kw_defaults):
        out.append((a.arg, _KWO, _EMPTY if d is None else _eval(d)))
    return out


def _eval(node):
    return eval(compile(ast.Expression(node), "<doc>", "eval"), {"__builtins__": {}}, {})


def _schema_params(name):
    """Parameters of the first non-``out`` overload of ``aten::name`` as Python sees them."""
    schemas = [s for s in torch._C._jit_get_schemas_for_operator("aten::" + name) if "out" not in s.overload_name]
    out = []
    for a in schemas[0].arguments:
        pname = "input" if a.name == "self" else a.name
        default = a.default_value if a.has_default_value() else _EMPTY
        out.append((pname, _KWO if a.kwarg_only else _POK, ("schema", str(a.type), a.N, default)))
    return out


# builtins whose docstring names a parameter differently from what the binding accepts
# (``F.one_hot(tensor=x)`` is a TypeError in PyTorch; ``F.one_hot(input=x)`` works; ``F.gelu(x, "tanh")`` is a
# TypeError: ``approximate`` is keyword-only)
_BINDING_NAMES = {"one_hot", "gelu"}


def _overload_names(name):
    """Parameter names of every non-``out`` overload of ``aten::name``."""
    schemas = torch._C._jit_get_schemas_for_operator("aten::" + name)
    return {a.name for s in schemas if "out" not in s.overload_name for a in s.arguments}


def _torch_reference(kind, name):
    """(params, source) for PyTorch's ``name`` in table ``kind``."""
    if kind == "class":
        cls = getattr(tnn, name)
        sig = inspect.signature(cls.__init__)
        if _is_generic(sig) and "__new__" in vars(cls):
            return _params(inspect.signature(cls.__new__)), "__new__"
        return _params(sig), "__init__"
    if kind == "top":
        try:
            return _params(inspect.signature(getattr(torch, name))), "signature"
        except (TypeError, ValueError):
            return _schema_params(name), "schema"
    root = {"functional": TF, "init": tnn.init, "utils": tnn.utils}[kind]
    fn = _get(root, name)
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        if getattr(torch, name, None) is fn or name in _BINDING_NAMES:
            # the same builtin as torch.<name>: its ATen schema is what the binding parses
            return _schema_params(name), "schema"
        return _docstring_params(fn), "docstring"
    if _is_generic(sig) and kind == "functional":
        # boolean_dispatch wrappers (max_pool2d, adaptive_max_pool2d, ...): the dispatch targets share one signature
        return _params(inspect.signature(getattr(TF, "_" + name))), "dispatch target"
    return _params(sig), "signature"


def _ember_params(kind, name, source):
    if kind == "class":
        cls = getattr(enn, name)
        return _params(inspect.signature(cls.__new__ if source == "__new__" else cls.__init__))
    root = {"functional": EF, "init": enn.init, "utils": enn.utils, "top": ember}[kind]
    return _params(inspect.signature(_get(root, name)))


def _same_default(t, e):
    if isinstance(t, tuple) and len(t) == 4 and t[0] == "schema":
        return _same_schema_default(t[1], t[2], t[3], e)
    if t is _EMPTY or e is _EMPTY:
        return t is e
    if isinstance(t, float) and isinstance(e, float) and math.isnan(t):
        return math.isnan(e)
    if repr(t) == repr(e):
        return True
    if isinstance(t, bool) or isinstance(e, bool):
        return False
    try:
        return bool(t == e)
    except Exception:
        return False


def _same_schema_default(typ, n, t, e):
    if t is _EMPTY or e is _EMPTY:
        return t is e
    if isinstance(t, list):
        if isinstance(e, (list, tuple)):
            return list(e) == t or (not t and e is None)
        if not t:
            return e is None
        return isinstance(e, int) and not isinstance(e, bool) and all(v == e for v in t)
    if t is None:
        return e is None
    if isinstance(t, bool) or isinstance(e, bool):
        return type(t) is type(e) and t == e
    if isinstance(t, (int, float)) and isinstance(e, (int, float)):
        return t == e
    return repr(t) == repr(e)


def _diff(tp, ep, skip_defaults=()):
    lines = []
    tn = [(n, k.name) for n, k, _ in tp]
    en = [(n, k.name) for n, k, _ in ep]
    if tn != en:
        lines.append(f"names/kinds: torch {tn} != ember {en}")
    else:
        for (n, _, td), (_, _, ed) in zip(tp, ep):
            if n not in skip_defaults and not _same_default(td, ed):
                lines.append(f"default of {n}: torch {td!r} != ember {ed!r}")
    return lines


def _signature_rows():
    rows = []
    for kind, names in (
        ("class", CLASSES),
        ("functional", SIG_FUNCTIONAL),
        ("top", SIG_TOP_LEVEL),
        ("init", INIT),
        ("utils", UTILS),
    ):
        rows += [pytest.param(kind, n, id=f"{kind}:{n}") for n in names]
    return rows


# --------------------------------------------------------------------------------------------------------------
# 1. existence
# --------------------------------------------------------------------------------------------------------------


def test_tables_are_consistent():
    for name in EXCLUDED:
        assert hasattr(tnn, name) or hasattr(TF, name), name
    assert not set(EXCLUDED) & (set(CLASSES) | set(FUNCTIONAL))
    for name in CLASSES:
        assert inspect.isclass(getattr(tnn, name)), name
    for name in FUNCTIONAL:
        assert callable(getattr(TF, name)), name
    for name in TOP_LEVEL:
        assert callable(getattr(torch, name)), name


@pytest.mark.parametrize("name", SUBMODULES)
def test_submodule_exists(name):
    assert inspect.ismodule(importlib.import_module("torch.nn." + name))
    assert inspect.ismodule(importlib.import_module("ember.nn." + name))
    # the attribute itself: a module, or (utils.weight_norm, ...) the function of the same name in both
    assert inspect.ismodule(_get(enn, name)) == inspect.ismodule(_get(tnn, name))


@pytest.mark.parametrize("name", CLASSES)
def test_class_exists(name):
    obj = getattr(enn, name)
    assert inspect.isclass(obj)
    assert obj.__name__ == getattr(tnn, name).__name__


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_functional_exists(name):
    assert callable(getattr(EF, name))


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_exists(name):
    assert callable(getattr(ember, name))


@pytest.mark.parametrize("name", INIT)
def test_init_exists(name):
    assert callable(getattr(enn.init, name))


# the old spellings without the trailing underscore: same deprecation warning, then the in-place version
DEPRECATED_INIT = [
    ("constant", "(x, 0.5)"),
    ("dirac", "(x.reshape(3, 2, 2))"),
    ("eye", "(x)"),
    ("kaiming_normal", "(x)"),
    ("kaiming_uniform", "(x, a=1.0)"),
    ("normal", "(x, 0.0, 2.0)"),
    ("orthogonal", "(x)"),
    ("sparse", "(x, 0.5)"),
    ("uniform", "(x, -1.0, 1.0)"),
    ("xavier_normal", "(x)"),
    ("xavier_uniform", "(x, gain=2.0)"),
]


@pytest.mark.parametrize("name,args", DEPRECATED_INIT)
def test_deprecated_init_warns(name, args):
    seen = []
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            out = eval("init." + name + args, {"init": lib.nn.init, "x": lib.ones(3, 4)})
        seen.append(([(w.category, str(w.message)) for w in warned], tuple(out.shape), str(out.dtype)))
    assert seen[1] == seen[0]


# module paths that programs import from directly (base classes for isinstance checks, helpers)
MODULE_PATHS = [
    "nn.modules.activation.ReLU", "nn.modules.batchnorm._BatchNorm", "nn.modules.batchnorm._NormBase",
    "nn.modules.channelshuffle.ChannelShuffle", "nn.modules.container.Sequential", "nn.modules.conv._ConvNd",
    "nn.modules.conv._ConvTransposeNd", "nn.modules.distance.PairwiseDistance", "nn.modules.dropout._DropoutNd",
    "nn.modules.flatten.Flatten", "nn.modules.fold.Fold", "nn.modules.instancenorm._InstanceNorm",
    "nn.modules.lazy.LazyModuleMixin", "nn.modules.linear.Identity", "nn.modules.loss._Loss",
    "nn.modules.loss._WeightedLoss", "nn.modules.module.Module", "nn.modules.module._IncompatibleKeys",
    "nn.modules.module._addindent", "nn.modules.module.register_module_backward_hook",
    "nn.modules.module.register_module_buffer_registration_hook", "nn.modules.module.register_module_forward_hook",
    "nn.modules.module.register_module_forward_pre_hook", "nn.modules.module.register_module_full_backward_hook",
    "nn.modules.module.register_module_full_backward_pre_hook",
    "nn.modules.module.register_module_module_registration_hook",
    "nn.modules.module.register_module_parameter_registration_hook", "nn.modules.normalization.LayerNorm",
    "nn.modules.padding._CircularPadNd", "nn.modules.padding._ConstantPadNd", "nn.modules.padding._ReflectionPadNd",
    "nn.modules.padding._ReplicationPadNd", "nn.modules.pixelshuffle.PixelShuffle",
    "nn.modules.pooling._AdaptiveAvgPoolNd", "nn.modules.pooling._AdaptiveMaxPoolNd", "nn.modules.pooling._AvgPoolNd",
    "nn.modules.pooling._LPPoolNd", "nn.modules.pooling._MaxPoolNd", "nn.modules.pooling._MaxUnpoolNd",
    "nn.modules.sparse.Embedding", "nn.modules.upsampling.Upsample", "nn.parameter.is_lazy",
    "nn.init._calculate_fan_in_and_fan_out", "nn.init._calculate_correct_fan",
    "nn.utils.parametrize.ParametrizationList", "nn.utils.parametrizations._Orthogonal",
    "nn.utils.parametrizations._WeightNorm", "nn.utils.parametrizations._SpectralNorm",
    "nn.utils.weight_norm.WeightNorm", "nn.utils.spectral_norm.SpectralNorm", "nn.utils.fusion.fuse_conv_bn_weights",
    "nn.utils.convert_parameters._check_param_device",
]  # fmt: skip


@pytest.mark.parametrize("path", MODULE_PATHS)
def test_module_path_exists(path):
    mod, attr = path.rsplit(".", 1)
    torch_obj = getattr(importlib.import_module("torch." + mod), attr)
    ember_obj = getattr(importlib.import_module("ember." + mod), attr)
    assert inspect.isclass(ember_obj) == inspect.isclass(torch_obj)


@pytest.mark.parametrize("name", UTILS)
def test_utils_exists(name):
    assert callable(_get(enn.utils, name))


# functional names that also exist at the top level: one object in both places exactly where PyTorch has one
SHARED = [
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "alpha_dropout", "avg_pool1d", "batch_norm", "bilinear",
    "binary_cross_entropy_with_logits", "celu", "celu_", "channel_shuffle", "conv1d", "conv2d", "conv3d",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "cosine_embedding_loss", "cosine_similarity",
    "ctc_loss", "dropout", "embedding", "embedding_bag", "feature_alpha_dropout", "group_norm", "hardshrink",
    "hinge_embedding_loss", "instance_norm", "kl_div", "layer_norm", "margin_ranking_loss", "max_pool1d",
    "max_pool1d_with_indices", "max_pool2d", "max_pool3d", "native_channel_shuffle", "pairwise_distance", "pdist",
    "pixel_shuffle", "pixel_unshuffle", "poisson_nll_loss", "prelu", "relu", "relu_", "rms_norm", "rrelu",
    "rrelu_", "selu", "selu_", "threshold", "threshold_", "triplet_margin_loss", "conv_tbc"
]  # fmt: skip


@pytest.mark.parametrize("name", SHARED)
def test_shared_with_top_level(name):
    assert (getattr(EF, name) is getattr(ember, name)) == (getattr(TF, name) is getattr(torch, name))


# --------------------------------------------------------------------------------------------------------------
# 2. signatures
# --------------------------------------------------------------------------------------------------------------

# The Python binding of the top-level losses reads the schema's ``reduction=Mean`` as 0 ('none'):
# ``torch.hinge_embedding_loss(x, t)`` is elementwise. ember follows the behaviour, so that default is not compared.
_SCHEMA_SKIP_DEFAULTS = ("reduction",)


@pytest.mark.parametrize("kind,name", _signature_rows())
def test_signature(kind, name):
    tp, source = _torch_reference(kind, name)
    ep = _ember_params(kind, name, source)
    skip = _SCHEMA_SKIP_DEFAULTS if source == "schema" else ()
    if source == "schema":
        # ember's top-level ops may take an ``out=`` keyword where ATen has an out overload, and trailing
        # defaulted parameters that only another overload has (embedding_bag's padding_idx)
        ep = [p for p in ep if p[0] != "out"]
        others = _overload_names(name)
        while len(ep) > len(tp) and ep[-1][0] in others and ep[-1][2] is not _EMPTY:
            ep = ep[:-1]
    problems = _diff(tp, ep, skip)
    assert not problems, f"{kind} {name} ({source}): " + "; ".join(problems)


@pytest.mark.parametrize("name", METHODS)
def test_method_signature(name):
    tm, em = _get(tnn, name), _get(enn, name)
    problems = _diff(_params(inspect.signature(tm)), _params(inspect.signature(em)))
    assert not problems, f"{name}: " + "; ".join(problems)


@functools.cache
def _torch_class_names():
    names = set()
    for info in pkgutil.iter_modules(tnn.modules.__path__):
        mod = importlib.import_module("torch.nn.modules." + info.name)
        names |= {k for k, v in vars(mod).items() if inspect.isclass(v)}
    return names | {k for k, v in vars(tnn.parameter).items() if inspect.isclass(v)}


# classes whose PyTorch base-class chain ember reproduces (``isinstance(m, nn.modules.conv._ConvNd)`` and friends)
HIERARCHY = [
    "AdaptiveLogSoftmaxWithLoss",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d", "AlphaDropout", "AvgPool1d", "AvgPool2d", "AvgPool3d", "BCELoss", "BCEWithLogitsLoss",
    "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "Bilinear", "Buffer", "CTCLoss", "ChannelShuffle",
    "CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "CosineEmbeddingLoss",
    "CosineSimilarity", "CrossEntropyLoss", "CrossMapLRN2d", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
    "ELU", "Embedding", "EmbeddingBag", "FeatureAlphaDropout", "Flatten", "Fold", "FractionalMaxPool2d",
    "FractionalMaxPool3d", "GELU", "GLU", "GaussianNLLLoss", "GroupNorm", "Hardshrink", "Hardsigmoid",
    "Hardswish", "Hardtanh", "HingeEmbeddingLoss", "HuberLoss", "Identity", "InstanceNorm1d", "InstanceNorm2d",
    "InstanceNorm3d", "KLDivLoss", "L1Loss", "LPPool1d", "LPPool2d", "LPPool3d", "LayerNorm", "LazyConv1d",
    "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyLinear",
    "LeakyReLU", "Linear", "LocalResponseNorm", "LogSigmoid", "LogSoftmax", "MSELoss", "MarginRankingLoss",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "Mish", "Module",
    "ModuleDict", "ModuleList", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "NLLLoss",
    "NLLLoss2d", "PReLU", "PairwiseDistance", "Parameter", "ParameterDict", "ParameterList", "PixelShuffle",
    "PixelUnshuffle", "PoissonNLLLoss", "RMSNorm", "RReLU", "ReLU", "ReLU6", "ReflectionPad1d", "ReflectionPad2d",
    "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "SELU", "Sequential", "SiLU",
    "Sigmoid", "SmoothL1Loss", "SoftMarginLoss", "Softmax", "Softmax2d", "Softmin", "Softplus", "Softshrink",
    "Softsign", "Tanh", "Tanhshrink", "Threshold", "TripletMarginLoss", "TripletMarginWithDistanceLoss",
    "Unflatten", "Unfold", "Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d", "ZeroPad1d", "ZeroPad2d",
    "ZeroPad3d",
]  # fmt: skip


@pytest.mark.parametrize("name", HIERARCHY)
def test_class_hierarchy(name):
    """Same defining module and the same chain of PyTorch-named bases; ember may add private helper bases
    of its own between them."""
    known = _torch_class_names()
    chain_t = [
        (c.__module__.split(".", 1)[1], c.__name__)
        for c in getattr(tnn, name).__mro__
        if c.__module__.startswith("torch.nn")
    ]
    chain_e = [
        (c.__module__.split(".", 1)[1], c.__name__)
        for c in getattr(enn, name).__mro__
        if c.__module__.startswith("ember.nn") and c.__name__ in known
    ]
    assert chain_e == chain_t


def _class_data(cls):
    """Class-level data attributes (dump_patches, call_super_init, _version, __constants__, ...), without
    methods, descriptors and typing variables (``Module.T_destination`` only serves annotations)."""
    out = {}
    for key in dir(cls):
        if key.startswith("__") and key != "__constants__":
            continue
        value = inspect.getattr_static(cls, key)
        if callable(value) or inspect.isdatadescriptor(value) or inspect.ismethoddescriptor(value):
            continue
        if isinstance(value, (staticmethod, classmethod, typing.TypeVar)):
            continue
        out[key] = _describe(value)
    return out


MODULE_CLASSES = [n for n in CLASSES if issubclass(getattr(tnn, n), tnn.Module)]


@pytest.mark.parametrize("name", MODULE_CLASSES)
def test_class_attributes(name):
    """PyTorch's class data with the same values; ember may keep private class data of its own."""
    data_t, data_e = _class_data(getattr(tnn, name)), _class_data(getattr(enn, name))
    assert {k: data_e.get(k, "missing") for k in data_t} == data_t
    assert [k for k in data_e if k not in data_t and not k.startswith("_")] == []


@pytest.mark.parametrize("name", MODULE_CLASSES)
def test_forward_signature(name):
    tf, ef = getattr(tnn, name).forward, getattr(enn, name).forward
    problems = _diff(_params(inspect.signature(tf)), _params(inspect.signature(ef)))
    assert not problems, f"{name}.forward: " + "; ".join(problems)


# --------------------------------------------------------------------------------------------------------------
# 3. reprs and state_dict layouts
# --------------------------------------------------------------------------------------------------------------

# Each row is evaluated with ``nn`` = torch.nn / ember.nn and ``T`` = torch / ember.
LAYERS = [
    "AdaptiveLogSoftmaxWithLoss(16, 30, [5, 12, 20], div_value=2.0, head_bias=True)",
    "LinearCrossEntropyLoss(4, 6, bias=True, out_features=(2,), weight=T.ones(6), ignore_index=2)",
    # containers and the base class
    "Module()",
    "Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Dropout(0.2)))",
    "ModuleList([nn.Linear(2, 2), nn.Tanh()])",
    "ModuleDict({'a': nn.Linear(2, 2), 'b': nn.Identity()})",
    "ParameterList([nn.Parameter(T.ones(2, 3)), nn.Parameter(T.zeros(4))])",
    "ParameterDict({'b': nn.Parameter(T.ones(2)), 'w': nn.Parameter(T.zeros(3, dtype=T.float64))})",
    "Identity(3, unused=True)",
    # linear
    "Linear(4, 5)",
    "Linear(4, 5, bias=False)",
    "Linear(3, 2, dtype=T.float64)",
    "Linear(3, 2, device='cpu', dtype=T.float16)",
    "Bilinear(3, 4, 5)",
    "Bilinear(3, 4, 5, bias=False)",
    "Bilinear(2, 2, 3, dtype=T.float64)",
    "LazyLinear(5)",
    # convolutions
    "Conv1d(3, 8, 3)",
    "Conv1d(4, 8, 3, stride=2, padding=1, dilation=2, groups=2, padding_mode='reflect')",
    "Conv2d(3, 8, 3, stride=2, padding=1, bias=False)",
    "Conv2d(4, 4, (3, 5), padding='same', groups=4, padding_mode='circular')",
    "Conv2d(2, 6, 1, padding='valid', dilation=(1, 2))",
    "Conv3d(2, 4, (1, 2, 3), stride=(1, 2, 1), padding=(0, 1, 0))",
    "Conv3d(2, 4, 3, padding_mode='replicate', padding=1, bias=False)",
    "Conv2d(2, 3, 3, dtype=T.float64)",
    "ConvTranspose1d(2, 3, 3, device='cpu', dtype=T.float64)",
    "ConvTranspose1d(3, 6, 3, stride=2, output_padding=1)",
    "ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1, groups=2, bias=False, dilation=1)",
    "ConvTranspose2d(2, 3, (2, 3), dilation=2)",
    "ConvTranspose3d(2, 4, 2, stride=2)",
    "LazyConv1d(4, 3)",
    "LazyConv2d(8, 3, stride=2, padding=1)",
    "LazyConv3d(4, 2, bias=False)",
    "LazyConvTranspose1d(4, 3)",
    "LazyConvTranspose2d(4, 3, stride=2)",
    "LazyConvTranspose3d(4, 2)",
    "Fold(output_size=(4, 5), kernel_size=2)",
    "Fold((6, 6), (2, 3), dilation=2, padding=1, stride=2)",
    "Unfold(kernel_size=(2, 3), dilation=2, padding=1, stride=1)",
    "Unfold(3)",
    # normalization
    "BatchNorm1d(10)",
    "BatchNorm1d(10, affine=False)",
    "BatchNorm2d(8, eps=1e-3, momentum=None)",
    "BatchNorm2d(8, track_running_stats=False)",
    "BatchNorm3d(4, momentum=0.3)",
    "BatchNorm1d(4, dtype=T.float64)",
    "InstanceNorm1d(3, affine=True, track_running_stats=True, dtype=T.float64)",
    "LayerNorm(3, dtype=T.float64)",
    "GroupNorm(1, 2, device='cpu', dtype=T.float64)",
    "RMSNorm(3, dtype=T.float64)",
    "InstanceNorm1d(5)",
    "InstanceNorm2d(6, affine=True)",
    "InstanceNorm2d(6, track_running_stats=True)",
    "InstanceNorm3d(3, eps=1e-3, momentum=0.2, affine=True, track_running_stats=True)",
    "LayerNorm(10)",
    "LayerNorm((4, 5), eps=1e-6, elementwise_affine=False)",
    "LayerNorm([3, 4], bias=False)",
    "GroupNorm(2, 6)",
    "GroupNorm(3, 6, eps=1e-3, affine=False)",
    "RMSNorm(8)",
    "RMSNorm([2, 3], eps=1e-6, elementwise_affine=False)",
    "LocalResponseNorm(3)",
    "LocalResponseNorm(5, alpha=1e-3, beta=0.5, k=2.0)",
    "CrossMapLRN2d(3)",
    "CrossMapLRN2d(5, alpha=1e-3, beta=0.5, k=2)",
    # embeddings
    "Embedding(10, 3)",
    "Embedding(10, 3, padding_idx=0)",
    "Embedding(10, 3, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True)",
    "Embedding(5, 2, dtype=T.float64)",
    "Embedding.from_pretrained(T.ones(4, 3))",
    "Embedding.from_pretrained(T.ones(4, 3), freeze=False, padding_idx=1, max_norm=1.5)",
    "EmbeddingBag(10, 3)",
    "EmbeddingBag(10, 3, dtype=T.float64)",
    "EmbeddingBag.from_pretrained(T.ones(4, 3), mode='sum', padding_idx=0)",
    "EmbeddingBag(10, 3, mode='sum', max_norm=2.0, padding_idx=1, include_last_offset=True)",
    "EmbeddingBag(10, 3, mode='max', scale_grad_by_freq=True)",
    # pooling
    "MaxPool1d(3)",
    "MaxPool1d(3, stride=1, padding=1, dilation=2, return_indices=True, ceil_mode=True)",
    "MaxPool2d(2)",
    "MaxPool2d((2, 3), stride=(1, 2), padding=1)",
    "MaxPool3d(2, ceil_mode=True)",
    "AvgPool1d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)",
    "AvgPool2d(2)",
    "AvgPool2d(3, stride=1, padding=1, divisor_override=2)",
    "AvgPool3d((1, 2, 2), count_include_pad=False)",
    "LPPool1d(2, 3)",
    "LPPool2d(2, 3)",
    "LPPool2d(1.5, (2, 3), stride=1, ceil_mode=True)",
    "LPPool3d(3, 2)",
    "AdaptiveAvgPool1d(4)",
    "AdaptiveAvgPool2d((5, 7))",
    "AdaptiveAvgPool2d((None, 7))",
    "AdaptiveAvgPool3d(2)",
    "AdaptiveMaxPool1d(3, return_indices=True)",
    "AdaptiveMaxPool2d((3, None))",
    "AdaptiveMaxPool3d(2)",
    "MaxUnpool1d(2)",
    "MaxUnpool2d(2, stride=1, padding=1)",
    "MaxUnpool3d((2, 2, 1))",
    "FractionalMaxPool2d(3, output_size=5)",
    "FractionalMaxPool2d(2, output_ratio=(0.5, 0.5), return_indices=True)",
    "FractionalMaxPool3d(2, output_size=(3, 3, 3))",
    # padding
    "ConstantPad1d(2, 3.5)",
    "ConstantPad2d((1, 2, 3, 4), -1.0)",
    "ConstantPad3d(1, 0.0)",
    "ZeroPad1d((1, 2))",
    "ZeroPad2d(2)",
    "ZeroPad3d((1, 1, 2, 2, 0, 1))",
    "ReflectionPad1d(2)",
    "ReflectionPad2d((1, 0, 2, 1))",
    "ReflectionPad3d(1)",
    "ReplicationPad1d((3, 1))",
    "ReplicationPad2d(2)",
    "ReplicationPad3d((1, 2, 0, 1, 1, 0))",
    "CircularPad1d(1)",
    "CircularPad2d((1, 2, 1, 0))",
    "CircularPad3d(2)",
    # vision
    "PixelShuffle(2)",
    "PixelUnshuffle(3)",
    "ChannelShuffle(2)",
    "Upsample(scale_factor=2, mode='bilinear')",
    "Upsample(size=(4, 5))",
    "Upsample(scale_factor=(2.0, 1.5), mode='bicubic', align_corners=True)",
    "Upsample(size=8, mode='linear', align_corners=False, recompute_scale_factor=None)",
    "Upsample(scale_factor=0.5, mode='nearest-exact', recompute_scale_factor=True)",
    "UpsamplingNearest2d(scale_factor=2)",
    "UpsamplingNearest2d(size=(3, 4))",
    "UpsamplingBilinear2d(scale_factor=2)",
    "UpsamplingBilinear2d(size=5)",
    # reshaping
    "Flatten()",
    "Flatten(0, 2)",
    "Unflatten(1, (2, 3))",
    "Unflatten(-1, [4, -1])",
    # distances
    "CosineSimilarity()",
    "CosineSimilarity(dim=0, eps=1e-6)",
    "PairwiseDistance()",
    "PairwiseDistance(p=1.0, eps=1e-5, keepdim=True)",
    # dropout
    "Dropout()",
    "Dropout(0.3, inplace=True)",
    "Dropout1d(0.1)",
    "Dropout2d(p=0.25)",
    "Dropout3d(0.4, True)",
    "AlphaDropout(0.2)",
    "FeatureAlphaDropout(0.1, inplace=True)",
    # activations
    "ReLU()",
    "ReLU(inplace=True)",
    "ReLU6(True)",
    "LeakyReLU()",
    "LeakyReLU(0.2, inplace=True)",
    "PReLU()",
    "PReLU(num_parameters=3, init=0.1)",
    "PReLU(2, dtype=T.float64)",
    "RReLU()",
    "RReLU(0.1, 0.3, inplace=True)",
    "ELU()",
    "ELU(alpha=0.5, inplace=True)",
    "CELU(2.0)",
    "SELU(inplace=True)",
    "GELU()",
    "GELU(approximate='tanh')",
    "SiLU(inplace=True)",
    "Mish(True)",
    "Sigmoid()",
    "Tanh()",
    "LogSigmoid()",
    "Softsign()",
    "Tanhshrink()",
    "Hardsigmoid(inplace=True)",
    "Hardswish(True)",
    "Hardtanh()",
    "Hardtanh(-2.0, 3.0, inplace=True)",
    "Hardtanh(min_val=0, max_val=6)",
    "Hardshrink(0.3)",
    "Softshrink(lambd=0.7)",
    "Softplus()",
    "Softplus(beta=2.0, threshold=10.0)",
    "Threshold(0.1, 20.0)",
    "Threshold(0.5, -1.0, inplace=True)",
    "GLU()",
    "GLU(dim=1)",
    "Softmax()",
    "Softmax(dim=1)",
    "Softmin(dim=-1)",
    "LogSoftmax(dim=0)",
    "Softmax2d()",
    # losses
    "L1Loss()",
    "L1Loss(reduction='sum')",
    "MSELoss(reduction='none')",
    "CrossEntropyLoss()",
    "CrossEntropyLoss(weight=T.ones(3), ignore_index=2, reduction='sum', label_smoothing=0.1)",
    "NLLLoss(weight=T.ones(4), ignore_index=-1, reduction='none')",
    "NLLLoss2d()",
    "BCELoss(weight=T.ones(2), reduction='sum')",
    "BCEWithLogitsLoss(pos_weight=T.ones(3))",
    "BCEWithLogitsLoss(weight=T.ones(3), reduction='none', pos_weight=T.ones(3))",
    "KLDivLoss(reduction='batchmean', log_target=True)",
    "HuberLoss(reduction='sum', delta=0.5)",
    "SmoothL1Loss(beta=0.5)",
    "SoftMarginLoss(reduction='none')",
    "PoissonNLLLoss(log_input=False, full=True, eps=1e-6, reduction='sum')",
    "GaussianNLLLoss(full=True, eps=1e-3, reduction='none')",
    "HingeEmbeddingLoss(margin=2.0)",
    "CosineEmbeddingLoss(margin=0.5, reduction='sum')",
    "MarginRankingLoss(margin=0.1)",
    "MultiMarginLoss(p=2, margin=0.5, weight=T.ones(3))",
    "MultiLabelMarginLoss(reduction='sum')",
    "MultiLabelSoftMarginLoss(weight=T.ones(3))",
    "TripletMarginLoss(margin=0.5, p=1.0, eps=1e-5, swap=True, reduction='none')",
    "TripletMarginWithDistanceLoss(margin=2.0, swap=True)",
    "CTCLoss(blank=1, reduction='sum', zero_infinity=True)",
    # argument spellings: ints where floats are usual, lists and Sizes for tuples, positional arguments,
    # the legacy size_average/reduce flags, empty and nested containers
    "Upsample(scale_factor=(2, 3))",
    "Upsample(scale_factor=2.5)",
    "Upsample(size=(2, 3, 4), mode='trilinear')",
    "Upsample(scale_factor=2, mode='area')",
    "AvgPool2d((2, 3), stride=(1, 2), padding=(1, 0))",
    "MaxPool3d((1, 2, 3), stride=1, padding=(0, 1, 1), dilation=(1, 1, 2))",
    "LPPool1d(1, 2, stride=1)",
    "Softmax(None)",
    "Hardtanh(-1, 1)",
    "Threshold(1, 2)",
    "ELU(1)",
    "LeakyReLU(1)",
    "Softplus(2, 5)",
    "RReLU(0, 1)",
    "PReLU(init=1)",
    "GroupNorm(1, 1, eps=0)",
    "BatchNorm2d(3, eps=0, momentum=1)",
    "Embedding(3, 2, max_norm=1)",
    "Dropout(0)",
    "Dropout(1)",
    "Flatten(-2, -1)",
    "Unflatten(0, T.Size([2, 3]))",
    "Unflatten(1, [2, 3])",
    "Fold(output_size=4, kernel_size=(2, 2), stride=(1, 2))",
    "LayerNorm(T.Size([3, 4]))",
    "Conv2d(2, 4, kernel_size=[3, 3], stride=[1, 2], padding=[1, 0])",
    "Conv1d(2, 4, 3, padding=(1,))",
    "ConvTranspose2d(2, 4, 3, output_padding=(1, 0), stride=2)",
    "ConstantPad2d(1, 2)",
    "ZeroPad2d([1, 2, 3, 4])",
    "ReflectionPad1d([1, 2])",
    "CircularPad2d([1, 1, 1, 1])",
    "AdaptiveAvgPool2d([3, 4])",
    "AdaptiveMaxPool2d(T.Size([3, 4]))",
    "MaxUnpool2d((2, 2), stride=(2, 1))",
    "PixelShuffle(upscale_factor=2)",
    "CosineSimilarity(1, 0)",
    "PairwiseDistance(2, 0)",
    "Softmin(0)",
    "GLU(0)",
    "CELU(1)",
    "GELU('none')",
    "HuberLoss(delta=1)",
    "SmoothL1Loss(beta=0)",
    "MarginRankingLoss(margin=1)",
    "TripletMarginLoss(margin=1, p=2)",
    "MultiMarginLoss(margin=2)",
    "KLDivLoss()",
    "NLLLoss(size_average=False)",
    "CrossEntropyLoss(reduce=False)",
    "MSELoss(size_average=True, reduce=False)",
    "L1Loss(size_average=False, reduce=True)",
    "BCELoss(reduce=False)",
    "Linear(3, 2, True)",
    "Bilinear(2, 3, 4, True)",
    "Embedding(5, 2, 1)",
    "EmbeddingBag(5, 2, 1.0, 2.0, False, 'max')",
    "InstanceNorm1d(3, 1e-5, 0.1, True, True)",
    "BatchNorm1d(3, 1e-5, None, False, False)",
    "LocalResponseNorm(2, 1, 1, 1)",
    "RMSNorm(4, 0.1, False)",
    "FractionalMaxPool2d((2, 3), output_size=(4, 5))",
    "FractionalMaxPool3d(2, output_ratio=0.5)",
    "ChannelShuffle(groups=3)",
    "Identity(5)",
    "Sequential()",
    "ModuleList()",
    "ModuleDict()",
    "ParameterList()",
    "ParameterDict()",
    "Sequential(nn.Identity(), nn.Sequential())",
    "Sequential(OrderedDict([('conv', nn.Conv2d(1, 2, 3)), ('act', nn.ReLU())]))",
]


def _describe(v):
    if isinstance(v, (bool, int, float, str, type(None))):
        return repr(v)
    if isinstance(v, torch.Size) or type(v).__name__ == "Size":
        return "Size" + _describe(tuple(v))
    if isinstance(v, (tuple, list)):
        return type(v).__name__ + "(" + ", ".join(_describe(x) for x in v) + ")"
    if hasattr(v, "shape"):
        return f"tensor{tuple(v.shape)} {_dtype_name(v.dtype)}"
    return "callable" if callable(v) else type(v).__name__


def _attributes(m):
    return {k: _describe(v) for k, v in vars(m).items() if not k.startswith("_")}


def _ns(nn, lib):
    """Names a table row may use: ``nn`` (torch.nn / ember.nn), ``T`` (torch / ember), ``OrderedDict``."""
    return {"nn": nn, "T": lib, "OrderedDict": collections.OrderedDict}


def _dtype_name(dt):
    return str(dt).rsplit(".", 1)[-1]


def _layout(sd):
    out = []
    for key, value in sd.items():
        if type(value).__name__.startswith("Uninitialized"):
            out.append((key, type(value).__name__))
        else:
            out.append((key, tuple(value.shape), _dtype_name(value.dtype)))
    return out


@pytest.mark.parametrize("expr", LAYERS)
def test_repr_and_state_dict(expr):
    with warnings.catch_warnings(record=True) as warned_t:
        warnings.simplefilter("always")
        t = eval("nn." + expr, _ns(tnn, torch))
    with warnings.catch_warnings(record=True) as warned_e:
        warnings.simplefilter("always")
        e = eval("nn." + expr, _ns(enn, ember))
    # the same warnings at construction (NLLLoss2d's deprecation, ...)
    assert [(w.category, str(w.message)) for w in warned_e] == [(w.category, str(w.message)) for w in warned_t]
    assert repr(e) == repr(t)
    assert _layout(e.state_dict()) == _layout(t.state_dict())
    # per-module version metadata that load_state_dict hands to _load_from_state_dict
    assert e.state_dict()._metadata == t.state_dict()._metadata
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert e.training is t.training
    # public instance attributes (kernel_size, momentum, num_embeddings, ...) with their values and types
    assert _attributes(e) == _attributes(t)
    for store in ("_parameters", "_buffers", "_modules"):
        assert list(getattr(e, store)) == list(getattr(t, store)), store
    assert e._non_persistent_buffers_set == t._non_persistent_buffers_set
    # the hyper-parameters PyTorch declares as constants are stored with the same values and types
    for attr in getattr(type(t), "__constants__", ()):
        tv, ev = getattr(t, attr), getattr(e, attr)
        assert _describe(ev) == _describe(tv), attr


@pytest.mark.parametrize("expr", [e for e in LAYERS if "Lazy" not in e])  # uninitialized parameters hold no values
def test_load_torch_state_dict(expr):
    """A PyTorch state_dict (values copied through NumPy) loads strictly and round-trips."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = eval("nn." + expr, _ns(tnn, torch))
        e = eval("nn." + expr, _ns(enn, ember))
    sd_t = t.state_dict()
    result = e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in sd_t.items()})
    assert repr(result) == repr(t.load_state_dict(sd_t))
    for key, value in e.state_dict().items():
        np.testing.assert_array_equal(value.detach().numpy(), sd_t[key].detach().numpy(), err_msg=key)


# load_state_dict with missing / unexpected / mis-shaped entries: same result repr, or same error and message
LOAD_CASES = [
    ("Linear(4, 5)", "{'weight': T.ones(5, 4)}", {}),
    ("Linear(4, 5)", "{'weight': T.ones(5, 4), 'bias': T.ones(5), 'extra': T.ones(1)}", {}),
    ("Linear(4, 5)", "{'weight': T.ones(3, 2), 'bias': T.ones(5)}", {}),
    ("Linear(4, 5)", "{'weight': T.ones(5, 4)}", {"strict": False}),
    ("Linear(4, 5)", "{'weight': T.ones(3, 2), 'bias': T.ones(5), 'x': T.ones(1)}", {"strict": False}),
    (
        "BatchNorm1d(3)",
        "{'weight': T.ones(3), 'bias': T.ones(3), 'running_mean': T.ones(3), 'running_var': T.ones(3)}",
        {},
    ),
    (
        "Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))",
        "{'0.weight': T.ones(3, 2), '0.bias': T.ones(3), '1.weight': T.ones(3), '1.bias': T.ones(3),"
        " '1.running_mean': T.ones(3), '1.running_var': T.ones(3), '1.num_batches_tracked': T.tensor(0),"
        " '2.weight': T.ones(1)}",
        {},
    ),
    ("Conv2d(2, 3, 3)", "{'weight': T.ones(3, 2, 3, 3, dtype=T.float64), 'bias': T.ones(3)}", {}),
    ("Embedding(4, 2)", "{'weight': T.ones(4, 2)}", {"assign": True}),
    ("Linear(2, 2)", "[('weight', T.ones(2, 2))]", {}),
]


def _load(nn, lib, expr, sd, kwargs):
    m = eval("nn." + expr, _ns(nn, lib))
    try:
        result = m.load_state_dict(eval(sd, {"T": lib}), **kwargs)
    except Exception as exc:
        return type(exc).__name__, str(exc)
    return repr(result), _layout(m.state_dict())


@pytest.mark.parametrize("expr,sd,kwargs", LOAD_CASES)
def test_load_state_dict_mismatches(expr, sd, kwargs):
    assert _load(enn, ember, expr, sd, kwargs) == _load(tnn, torch, expr, sd, kwargs)


# construction with a layer in ``m.<conversion>``: repr, state_dict layout, training flag, requires_grad
# and what the call returns stay as in PyTorch
CONVERSION_LAYERS = [
    "Linear(4, 5)",
    "Bilinear(3, 4, 5)",
    "Conv2d(3, 8, 3, stride=2, padding=1, bias=False)",
    "ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1, groups=2, bias=False, dilation=1)",
    "BatchNorm1d(10)",
    "BatchNorm2d(8, track_running_stats=False)",
    "InstanceNorm3d(3, eps=1e-3, momentum=0.2, affine=True, track_running_stats=True)",
    "LayerNorm([3, 4], bias=False)",
    "GroupNorm(2, 6)",
    "RMSNorm(8)",
    "Embedding(10, 3, padding_idx=0)",
    "EmbeddingBag(10, 3, mode='sum')",
    "PReLU(num_parameters=3, init=0.1)",
    "CrossEntropyLoss(weight=T.ones(3))",
    "BCEWithLogitsLoss(weight=T.ones(3), pos_weight=T.ones(3))",
    "Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Dropout(0.5))",
    "ParameterList([nn.Parameter(T.ones(2, 3)), nn.Parameter(T.zeros(4))])",
    "ParameterDict({'b': nn.Parameter(T.ones(2)), 'w': nn.Parameter(T.zeros(3, dtype=T.float64))})",
    "ReLU()",
]

CONVERSIONS = [
    "double()",
    "half()",
    "bfloat16()",
    "float()",
    "to(T.float64)",
    "to('cpu')",
    "cpu()",
    "eval()",
    "train(False)",
    "requires_grad_(False)",
    "zero_grad()",
]


def _snapshot(m, returned):
    grads = [p.requires_grad for p in m.parameters()]
    kind = None if returned is None else type(returned).__name__
    return repr(m), _layout(m.state_dict()), m.training, grads, kind, returned is m


@pytest.mark.parametrize("expr", CONVERSION_LAYERS)
def test_conversions(expr):
    for conversion in CONVERSIONS:
        snaps = []
        for nn, lib in ((tnn, torch), (enn, ember)):
            m = eval("nn." + expr, _ns(nn, lib))
            snaps.append(_snapshot(m, eval("m." + conversion, {"m": m, "T": lib})))
        assert snaps[1] == snaps[0], conversion


PARAMETERS = [
    "Parameter(T.ones(2))",
    "Parameter(T.ones(2, 3, dtype=T.float64), requires_grad=False)",
    "Parameter()",
    "UninitializedParameter()",
    "UninitializedParameter(requires_grad=False)",
    "UninitializedBuffer()",
]


@pytest.mark.parametrize("expr", PARAMETERS)
def test_parameter_objects(expr):
    t = eval("nn." + expr, _ns(tnn, torch))
    e = eval("nn." + expr, _ns(enn, ember))
    assert repr(e) == repr(t)
    assert type(e).__name__ == type(t).__name__
    assert e.requires_grad == t.requires_grad
    for cls in ("Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"):
        assert isinstance(e, getattr(enn, cls)) == isinstance(t, getattr(tnn, cls)), cls


# constructor arguments PyTorch rejects: same exception type and message
CONSTRUCT_ERRORS = [
    "Conv2d(3, 8, 3, groups=2)",
    "Conv2d(4, 9, 3, groups=2)",
    "Conv2d(3, 8, 3, padding='same', stride=2)",
    "Conv2d(3, 8, 3, padding='foo')",
    "Conv2d(3, 8, 3, padding_mode='foo')",
    "Conv2d(3, 8, 3, groups=0)",
    "ConvTranspose2d(3, 8, 3, padding_mode='reflect')",
    "Embedding(10, 3, padding_idx=10)",
    "Embedding(10, 3, padding_idx=-11)",
    "Embedding(10, 3, _weight=T.ones(3, 3))",
    "EmbeddingBag(10, 3, padding_idx=10)",
    "Dropout(1.5)",
    "Dropout(-0.1)",
    "Dropout2d(2)",
    "AlphaDropout(1.1)",
    "GroupNorm(4, 6)",
    "FractionalMaxPool2d(2)",
    "FractionalMaxPool2d(2, output_size=3, output_ratio=0.5)",
    "FractionalMaxPool2d(2, output_ratio=1.5)",
    "FractionalMaxPool3d(2)",
    "Unflatten(1, 3)",
    "Unflatten(1, (2.0, 3))",
    "Linear(-1, 2)",
    "ModuleDict({1: nn.ReLU()})",
    "ModuleList([1])",
    "Sequential(1)",
    "ParameterDict({1: nn.Parameter(T.ones(1))})",
    "Threshold()",
    "Hardtanh(2.0, 1.0)",
    "MultiMarginLoss(p=3)",
    "TripletMarginWithDistanceLoss(margin=-1.0)",
]


def _construct_error(nn, lib, expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            eval("nn." + expr, _ns(nn, lib))
        except Exception as exc:
            return type(exc).__name__, _sorted_sets(str(exc))
    return None


def _sorted_sets(message):
    """PyTorch prints some choices as a Python set, whose order changes with the hash seed."""
    return re.sub(r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message)


@pytest.mark.parametrize("expr", CONSTRUCT_ERRORS)
def test_construct_errors(expr):
    expected = _construct_error(tnn, torch, expr)
    assert expected is not None
    assert _construct_error(enn, ember, expr) == expected


# nn.utils applied to layers: ``U`` = nn.utils, ``P`` = nn.utils.parametrize
UTILS_LAYERS = [
    "U.weight_norm(nn.Linear(3, 4))",
    "U.weight_norm(nn.Conv2d(2, 3, 3), name='weight', dim=1)",
    "U.weight_norm(nn.Linear(3, 4), dim=None)",
    "U.spectral_norm(nn.Linear(3, 4))",
    "U.spectral_norm(nn.Conv2d(2, 3, 3), n_power_iterations=2, eps=1e-6)",
    "U.spectral_norm(nn.ConvTranspose2d(2, 3, 3))",
    "U.remove_weight_norm(U.weight_norm(nn.Linear(3, 4)))",
    "U.remove_spectral_norm(U.spectral_norm(nn.Linear(3, 4)))",
    "U.parametrizations.weight_norm(nn.Linear(3, 4))",
    "U.parametrizations.weight_norm(nn.Conv1d(2, 3, 3), dim=None)",
    "U.parametrizations.spectral_norm(nn.Linear(3, 4))",
    "U.parametrizations.spectral_norm(nn.Conv2d(2, 3, 3), n_power_iterations=3)",
    "U.parametrizations.orthogonal(nn.Linear(4, 4))",
    "U.parametrizations.orthogonal(nn.Linear(3, 5), orthogonal_map='cayley')",
    "U.parametrizations.orthogonal(nn.Linear(4, 4), orthogonal_map='householder', use_trivialization=False)",
    "P.remove_parametrizations(U.parametrizations.weight_norm(nn.Linear(3, 4)), 'weight')",
    "P.remove_parametrizations(P.register_parametrization(nn.Linear(3, 3), 'weight', nn.Tanh()), 'weight', leave_parametrized=False)",
    "P.register_parametrization(nn.Linear(3, 3), 'weight', nn.Identity())",
    "P.register_parametrization(P.register_parametrization(nn.Linear(3, 3), 'weight', nn.Identity()), 'weight', nn.Tanh())",
    "P.register_parametrization(nn.Linear(3, 3), 'bias', nn.Softplus())",
    "U.fuse_conv_bn_eval(nn.Conv2d(2, 3, 3).eval(), nn.BatchNorm2d(3).eval())",
    "U.fuse_conv_bn_eval(nn.ConvTranspose2d(2, 3, 3).eval(), nn.BatchNorm2d(3).eval(), transpose=True)",
    "U.fuse_conv_bn_eval(nn.Conv1d(2, 3, 3, bias=False).eval(), nn.BatchNorm1d(3).eval())",
    "U.fuse_linear_bn_eval(nn.Linear(2, 3).eval(), nn.BatchNorm1d(3).eval())",
    "U.skip_init(nn.Linear, 3, 4)",
    "U.skip_init(nn.Conv2d, 2, 3, 3, bias=False)",
    "U.convert_conv2d_weight_memory_format(nn.Conv2d(2, 3, 3), T.channels_last)",
]


def _utils_snapshot(nn, lib, expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = eval(expr, {"nn": nn, "U": nn.utils, "P": nn.utils.parametrize, "T": lib})
    return (
        repr(m),
        _layout(m.state_dict()),
        [n for n, _ in m.named_parameters()],
        [n for n, _ in m.named_buffers()],
        type(m).__name__,
        type(m).__module__.split(".", 1)[1],
        nn.utils.parametrize.is_parametrized(m),
    )


@pytest.mark.parametrize("expr", UTILS_LAYERS, ids=str)
def test_utils_layers(expr):
    assert _utils_snapshot(enn, ember, expr) == _utils_snapshot(tnn, torch, expr)
