"""cloud-init's metadata read, as its `init` stage does it: the datasource class, built
with a Paths and a distro object, then `get_data()` (wait for the service, crawl it,
parse). Everything that talks to the metadata service is cloud-init's own code with its
default retries and timeouts, configured the way /etc/cloud/cloud.cfg would
(`metadata_urls`). Three things are stubbed, each because this bench machine is not a
cloud instance:
- the DMI probe (the machine is neither a nova instance nor an EC2 one);
- OpenStack: cloud-init also crawls the EC2-compatible tree, at the hard-coded address
  http://169.254.169.254 whatever `metadata_urls` says; it is sent to the mock instead
  (which serves that tree too, as nova does), so those requests are counted;
- EC2: the instance identity document (dynamic/instance-identity/), which the mock does
  not serve as a listing: answered in process, so the 2 requests it costs on a real EC2 are
  not counted, and no 404 retries are either.

Usage: python cloudinit_read.py openstack|ec2 URL SCRATCH_DIR
"""
import sys

from cloudinit import distros, helpers
from cloudinit import dmi

source, url, scratch = sys.argv[1], sys.argv[2], sys.argv[3]

if source == "openstack":
    from cloudinit.sources import DataSourceOpenStack as module

    fake_dmi = {"system-product-name": "OpenStack Nova"}
    datasource_class = module.DataSourceOpenStack
    name = "OpenStack"
    from functools import partial

    from cloudinit.sources.helpers import openstack

    openstack.ec2.get_instance_metadata = partial(openstack.ec2.get_instance_metadata, metadata_address=url)
else:
    from cloudinit.sources import DataSourceEc2 as module

    # What an EC2 Nitro instance reports: the UUID and serial that identify_aws() checks.
    uuid = "ec2e1916-9099-7caf-fd21-012345abcdef"
    fake_dmi = {"system-uuid": uuid, "system-serial-number": uuid, "system-product-name": "Amazon EC2"}
    datasource_class = module.DataSourceEc2
    name = "Ec2"
    identity = {"instanceId": "i-0a1b2c3d4e5f60718", "region": "eu-west-1", "availabilityZone": "eu-west-1b"}
    module.ec2.get_instance_identity = lambda *args, **kwargs: {"document": identity}

dmi.read_dmi_data = lambda key: fake_dmi.get(key)
module.dmi.read_dmi_data = dmi.read_dmi_data

sys_cfg = {
    "datasource_list": [name],
    "datasource": {name: {"metadata_urls": [url]}},
}
paths = helpers.Paths({"cloud_dir": scratch + "/cloud", "run_dir": scratch + "/run"})
distro = distros.fetch("debian")("debian", {}, paths)
datasource = datasource_class(sys_cfg, distro, paths)
if not datasource.get_data():
    sys.exit("cloud-init: get_data() found no %s metadata at %s" % (name, url))
# What the later modules read from the datasource (all from the crawl, no more requests).
print(datasource.get_instance_id(), datasource.get_hostname().hostname, len(datasource.get_public_ssh_keys()))
