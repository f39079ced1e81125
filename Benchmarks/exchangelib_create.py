# exchangelib (the most used Python EWS client) creating N tasks and N appointments, each with a CRM-id extended
# property, against the fake Exchange: issue 17's yardstick for the client CPU per item (scripts/bench bulk).
#   python exchangelib_create.py URL N
# Explicit endpoint and server version, no autodiscover, impersonation, chunks of 100 like ours.
import sys, datetime
from exchangelib import Account, Configuration, Credentials, Version, Build, IMPERSONATION, Task, CalendarItem, EWSDateTime, UTC
from exchangelib.extended_properties import ExtendedProperty
from exchangelib.protocol import BaseProtocol

class ActivityId(ExtendedProperty):
    distinguished_property_set_id = "PublicStrings"
    property_name = "ActivityId"
    property_type = "String"

url, count = sys.argv[1], int(sys.argv[2])
Task.register("activity_id", ActivityId)
CalendarItem.register("activity_id", ActivityId)
config = Configuration(service_endpoint=url, credentials=Credentials("svc", "pw"), auth_type="basic",
                       version=Version(build=Build(15, 1)))
account = Account("user1@contoso.test", config=config, autodiscover=False, access_type=IMPERSONATION,
                  default_timezone=UTC)
tasks = [Task(folder=account.tasks, subject=f"Task {j}", activity_id=f"T{j}") for j in range(count)]
start = datetime.datetime(2027, 1, 1, 8, tzinfo=datetime.timezone.utc)
appts = [CalendarItem(folder=account.calendar, subject=f"Meeting {j}", activity_id=f"P{j}",
                      start=EWSDateTime.from_datetime(start + datetime.timedelta(hours=j)),
                      end=EWSDateTime.from_datetime(start + datetime.timedelta(hours=j, minutes=60)))
         for j in range(count)]
created = account.bulk_create(folder=account.tasks, items=tasks, chunk_size=100)
created += account.calendar.bulk_create(items=appts, chunk_size=100)
errors = [c for c in created if isinstance(c, Exception)]
print(f"created {len(created) - len(errors)}, errors {len(errors)}", errors[:2])
