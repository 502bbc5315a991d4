"""A complete, valid set of answers to each demo form, in the shape a request stores them.

Each set answers every question its branches show (and only those), so a journey driven with it
ends with exactly these answers stored (uploads become their name, size and type).
"""

from .journey_helpers import FUTURE, PAST, jpeg, pdf, png

NAME = {"first_name": "Sam", "last_name": "Okafor"}
ADDRESS = {"line1": "14 Mill Lane", "line2": "Flat 2", "town": "Ashworth", "postcode": "AB4 7QT"}
OTHER_ADDRESS = {"line1": "3 Station Road", "line2": "", "town": "Ashworth", "postcode": "AB1 2CD"}
EMAIL = "sam.okafor@example.com"
PHONE = "01632 960001"
MOBILE = "07700 900982"


def person(first_name: str, born: str, relationship: str) -> dict:
    return {
        "person_name": {"first_name": first_name, "last_name": "Okafor"},
        "person_date_of_birth": born,
        "person_relationship": relationship,
    }


DEMO_ANSWERS: dict[str, dict] = {
    "report-missed-bin": {
        "collection_address": ADDRESS,
        "bin_type": "garden",
        "collection_date": PAST,
        "out_by_7am": "yes",
        "subscription_number": "GW123456",
        "access_notes": "The bin was left by the side gate.\nThe road was clear.",
        "name": NAME,
        "email": EMAIL,
        "phone": PHONE,
    },
    "report-fly-tipping": {
        "fly_tip_location": {
            "description": "Lay-by opposite the garage on Mill Lane",
            "postcode": "AB4 7QT",
            "latitude": 52.2053,
            "longitude": -1.5256,
        },
        "waste_types": ["furniture", "tyres"],
        "amount": "van",
        "date_seen": PAST,
        "photo": png("lay-by.png"),
        "saw_dumping": "no",
        "vehicle_involved": "yes",
        "witness_account": "A white van stopped and two men threw a sofa and tyres into the lay-by.",
        "vehicle_registration": "AB12 CDE",
        "vehicle_description": "White Ford Transit",
        "name": NAME,
        "email": EMAIL,
    },
    "report-pothole": {
        "pothole_location": {"description": "Outside number 12, in the bus lane"},
        "road_position": "cycle_lane",
        "depth": 15,
        "width": 0.5,
        "immediate_danger": "yes",
        "photo": jpeg("pothole.jpg"),
        "name": NAME,
        "email": EMAIL,
    },
    "street-light-fault": {
        "column_number": "SL0423",
        "light_location": {"description": "Opposite the school gates", "latitude": 52.1, "longitude": -1.25},
        "fault_type": "damaged",
        "fault_noticed": PAST,
        "exposed_wires": "no",
        "damage_description": "The lamp post is leaning after being hit by a car.",
        "name": NAME,
        "email": EMAIL,
        "phone": MOBILE,
    },
    "bulky-waste": {
        "collection_address": ADDRESS,
        "items": ["sofa", "mattress"],
        "item_count": 3,
        "preferred_date": FUTURE,
        "item_location": "bin_store",
        "access_notes": "The bin store code is 1234.",
        "name": NAME,
        "email": EMAIL,
        "phone": MOBILE,
    },
    "garden-waste": {
        "property_address": ADDRESS,
        "bin_count": 2,
        "has_brown_bin": "no",
        "delivery_notes": "Leave it by the side gate",
        "name": NAME,
        "email": EMAIL,
    },
    "blue-badge": {
        "applying_for": "someone_else",
        "lives_in_ashworth": "yes",
        "your_name": {"first_name": "Ada", "last_name": "Okafor"},
        "relationship": "family",
        "name": NAME,
        "date_of_birth": "1950-06-01",
        "home_address": ADDRESS,
        "main_reason": "walking",
        "walking_distance": 50,
        "walking_aids": ["stick", "frame"],
        "walking_description": "He needs to stop every few steps and cannot walk to the shops.",
        "photo": png("face.png"),
        "proof_of_identity": pdf("passport.pdf"),
        "proof_of_address": jpeg("bill.jpg"),
        "email": EMAIL,
        "phone": PHONE,
        "misuse_warning": True,
    },
    "housing-register": {
        "name": NAME,
        "date_of_birth": "1985-03-27",
        "current_address": ADDRESS,
        "tenure": "private_tenant",
        "moved_in": "2019-09-01",
        "others_moving": "yes",
        "household": [person("Ada", "1987-11-02", "partner"), person("Ben", "2015-01-20", "child")],
        "housing_needs": ["ground_floor", "level_shower"],
        "medical_details": "Ada uses a wheelchair.",
        "email": EMAIL,
        "phone": MOBILE,
    },
    "council-tax-moving-home": {
        "move_type": "within",
        "old_address": OTHER_ADDRESS,
        "move_out_date": PAST,
        "account_number": "123456789",
        "new_address": ADDRESS,
        "move_in_date": FUTURE,
        "adults": 1,
        "name": NAME,
        "email": EMAIL,
        "phone": PHONE,
    },
    "make-a-complaint": {
        "feedback_type": "complaint",
        "service_area": "waste",
        "what_happened": "My recycling has been missed three weeks running.",
        "incident_date": PAST,
        "desired_outcome": "Collect it and make sure the crew knows my road.",
        "supporting_document": pdf("letter.pdf"),
        "contact_method": "post",
        "name": NAME,
        "email": EMAIL,
        "postal_address": OTHER_ADDRESS,
    },
    "noise-nuisance": {
        "noise_type": "dog",
        "source_address": OTHER_ADDRESS,
        "times_of_day": ["evening", "night"],
        "frequency": "daily",
        "noise_started": PAST,
        "description": "A dog barks for hours every evening and wakes my children.",
        "spoken_to_them": "no",
        "name": NAME,
        "home_address": ADDRESS,
        "email": EMAIL,
        "phone": PHONE,
    },
    "order-a-bin": {
        "delivery_address": ADDRESS,
        "bin_type": "recycling",
        "reason": "damaged",
        "damage_type": "lid",
        "damaged_by_crew": "yes",
        "name": NAME,
        "email": EMAIL,
    },
}


def answers_for(slug: str, **changes) -> dict:
    """A copy of a demo form's answers with some changed; a change to None leaves the question unanswered."""
    answers = {**DEMO_ANSWERS[slug], **changes}
    return {key: value for key, value in answers.items() if value is not None}
