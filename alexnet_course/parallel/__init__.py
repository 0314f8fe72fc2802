"""Beyond one device: the paper's two-GPU model parallelism and today's data parallelism.

``model_parallel`` splits the paper's two-tower AlexNet over two devices exactly as its
Figure 2 draws it; ``data_parallel`` trains any model of the course with PyTorch's
``DistributedDataParallel`` on as many processes as ``torchrun`` starts; ``launch`` builds
torchrun command lines and measures how training scales with the number of processes.
"""

from .data_parallel import fit_distributed, launched_by_torchrun
from .launch import measure_scaling, torchrun_command
from .model_parallel import ModelParallelAlexNet, two_devices

__all__ = ["ModelParallelAlexNet", "two_devices", "fit_distributed", "launched_by_torchrun",
           "torchrun_command", "measure_scaling"]
