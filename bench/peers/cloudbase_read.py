"""cloudbase-init's metadata read, as its `init` does it: the service class from the
configuration file (`metadata_base_url` in [openstack] or [ec2]), `load()`, then the
getters its plugins call on that service, in plugin order (sethostname, createuser,
networkconfig, setuserpassword, sshpublickeys, userdata). Nothing is stubbed: these
services are plain HTTP clients (urllib/requests).

Usage: python cloudbase_read.py openstack|ec2 CONFIG_FILE
"""
import sys

from cloudbaseinit import conf as cloudbaseinit_conf

source, config_file = sys.argv[1], sys.argv[2]
CONF = cloudbaseinit_conf.CONF
CONF(["--config-file", config_file], project="cloudbase-init")

if source == "openstack":
    from cloudbaseinit.metadata.services import httpservice

    service = httpservice.HttpService()
else:
    from cloudbaseinit.metadata.services import ec2service

    service = ec2service.EC2Service()

if not service.load():
    sys.exit("cloudbase-init: load() found no %s metadata" % source)
instance_id = service.get_instance_id()
service.get_host_name()
service.get_admin_username()
if source == "openstack":
    service.get_network_details_v2()
    service.get_admin_password()
    if service.can_post_password:
        service.is_password_set
keys = service.get_public_keys()
service.get_user_data()
print(instance_id, len(keys or []))
