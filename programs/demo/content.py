"""The demo site's texts and dates, as plain data; `manage.py load_demo` turns them into rows.

Written from the seed texts in `shared/seeds/` in our own words: calm and plain, no promise of
a cure, and always clear that a circle is not a substitute for therapy.

StreamField bodies use Wagtail's JSON form (`{"type": ..., "value": ...}`); rich text is
Wagtail's HTML subset (`<p>`, `<b>`, `<i>`, `<ul>`, `<a href>`). Keys of each dict are the
model's field names unless a comment says otherwise.
"""

from datetime import date, time
from decimal import Decimal


def _heading(text: str, level: str = "h2") -> dict:
    return {"type": "heading", "value": {"text": text, "level": level}}


def _paragraph(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def _note(title: str, html: str) -> dict:
    return {"type": "note", "value": {"title": title, "text": html}}


NOT_THERAPY_NOTE = _note(
    "A circle is not therapy",
    "<p>Our groups are a supportive place to practise, not a substitute for therapy, medical care "
    "or crisis support. If you are struggling right now, please contact your GP or call NHS 111; "
    "in the UK and Ireland you can reach the Samaritans at any hour on 116 123, and in the US you "
    "can call or text 988.</p>",
)


# ---------------------------------------------------------------------------------------------
# Site-wide

SITE_SETTINGS = {
    "organisation_name": "Inner Child Circles",
    "contact_email": "hello@innerchildcircles.example",
    "default_time_zone": "Europe/London",
}

# The page Wagtail's first migration leaves behind; the loader replaces it with the home page.
WAGTAIL_WELCOME_PAGE_TITLE = "Welcome to your new Wagtail site!"


# ---------------------------------------------------------------------------------------------
# Pages

HOME_PAGE = {
    "title": "Inner Child Circles",
    "slug": "home",
    "intro": (
        "Small, gently paced groups for adults who want to get to know the younger part of "
        "themselves and treat it with more kindness. We meet online and in London, over several "
        "weeks, at a speed that feels manageable."
    ),
    "body": [
        _heading("A quiet place to begin"),
        _paragraph(
            "<p>Many of us still carry feelings and beliefs that took shape when we were very "
            "young. In a circle you learn simple practices, such as writing to your younger self, "
            "guided imagery and steady self-care, alongside a few other people doing the same.</p>"
            "<p>You can share as much or as little as you like. Nobody is asked to relive "
            "anything, and you can pause at any time.</p>"
        ),
        NOT_THERAPY_NOTE,
    ],
}

PROGRAM_INDEX_PAGE = {
    "title": "Programs",
    "slug": "programs",
    "intro": (
        "Each program runs over several weeks with the same small group, so trust has time to "
        "grow. Choose the format that suits you: online, in person in London, or a mix of both."
    ),
    "show_in_menus": True,
}

ABOUT_PAGE = {
    "title": "About inner child healing",
    "slug": "about-inner-child-healing",
    "show_in_menus": True,
    "intro": (
        "What people mean by the inner child, why early needs matter, and the practices our "
        "circles use, explained simply."
    ),
    "body": [
        _heading("What we mean by the inner child"),
        _paragraph(
            "<p>The inner child is a way of picturing the person you were when you first arrived "
            "in the world: open, dependent and full of needs. It is a metaphor rather than a "
            "diagnosis. Feelings and conclusions formed at that age can stay with us, and they "
            "sometimes show up in adult life as reactions that seem bigger than the moment "
            "that set them off.</p>"
            "<p>Inner child work means turning towards that younger part with curiosity and "
            "warmth, so that old hurts can be understood and looked after rather than pushed "
            "away.</p>"
        ),
        _heading("Signs an old hurt may still be at work", "h3"),
        _paragraph(
            "<ul>"
            "<li>A familiar sense of not being good enough</li>"
            "<li>Finding yourself in the same painful kind of relationship again</li>"
            "<li>Struggling to say what you feel or where your limits are</li>"
            "<li>A harsh inner critic, or a strong need for reassurance from others</li>"
            "<li>Worry about being left or turned away, or feeling lonely even with company</li>"
            "</ul>"
            "<p>None of these means something is wrong with you. They are common, and they can "
            "soften with patient attention.</p>"
        ),
        _heading("Needs that went unmet"),
        _paragraph(
            "<p>A good first step is to ask what your younger self needed and did not get enough "
            "of. For many people it is one or more of these:</p>"
            "<ul>"
            "<li><b>Safety</b>: the feeling that the world, and the people in it, could be "
            "relied on.</li>"
            "<li><b>Validation</b>: being told, in words or in deeds, that your feelings made "
            "sense and your experience was real.</li>"
            "<li><b>Care</b>: steady affection and attention, not only when things went "
            "well.</li>"
            "</ul>"
            "<p>Naming these needs is not about blaming anyone. It helps you see what you can "
            "begin to offer yourself now.</p>"
        ),
        _heading("Self-compassion"),
        _paragraph(
            "<p>Self-compassion is the habit of meeting yourself the way you would meet a friend "
            "who is having a hard time. It rests on two things: <b>understanding</b>, remembering "
            "that pain and getting things wrong are part of every human life, and "
            "<b>kindness</b>, answering your own distress gently instead of with criticism.</p>"
            "<p>Over time, kind and believable phrases can take the place of the critical voices "
            "we absorbed when we were small. We practise finding words that feel true to you, "
            "not slogans.</p>"
        ),
        _heading("The practices we use"),
        _paragraph(
            "<ul>"
            "<li><b>Dialoguing</b>: writing or speaking to your younger self, and listening for "
            "an answer, to understand and reassure them.</li>"
            "<li><b>Visualization</b>: picturing a difficult scene from childhood and imagining "
            "your adult self arriving to give what was missing.</li>"
            "<li><b>Re-parenting</b>: practising, in small daily ways, the things a caring parent "
            "does: rest, comfort, encouragement and fair limits.</li>"
            "<li><b>Journaling</b>: keeping a written record of what comes up, so patterns become "
            "easier to notice.</li>"
            "<li><b>Meditation</b>: short, grounding practices that help you stay steady while "
            "you look at tender things.</li>"
            "</ul>"
        ),
        _heading("Inner child work and attachment"),
        _paragraph(
            "<p>Difficult early experiences can leave us with an insecure attachment style, which "
            "makes it harder to trust people and to feel settled in close relationships. By "
            "slowly building a kind, dependable relationship with yourself, you create a secure "
            "base on the inside. That inner steadiness is often what makes it easier to trust "
            "others, to say what you need, to let yourself be known and to offer support in "
            "return.</p>"
            "<p>This takes time and repetition. Most people notice gradual shifts rather than a "
            "single turning point, and that is how it is meant to go.</p>"
        ),
        NOT_THERAPY_NOTE,
    ],
}

FAQ_PAGE = {
    "title": "Frequently asked questions",
    "slug": "faq",
    "show_in_menus": True,
    "intro": "Answers to the questions people most often ask before joining a circle.",
    "body": [
        {
            "type": "faq",
            "value": {
                "title": "Before you book",
                "items": [
                    {
                        "question": "What is inner child healing?",
                        "answer": (
                            "<p>It is a gentle way of attending to hurts that began early in "
                            "life. The “inner child” describes the feelings, needs and beliefs "
                            "you had as a young person, which can still colour how you react "
                            "and relate today. The work is to notice that younger part, "
                            "understand what it went without, and offer it the kindness and "
                            "steadiness it needed.</p>"
                            "<p>People approach it through therapy, meditation, journaling and "
                            "quiet reflection. Many hope for a kinder inner voice, more "
                            "self-worth and easier relationships.</p>"
                        ),
                    },
                    {
                        "question": "How does it work?",
                        "answer": (
                            "<p>In small steps. First you become more aware of patterns that "
                            "seem older than the situation in front of you. Then, with support, "
                            "you may begin to see where some of them started, make contact with "
                            "the younger self who lived through it, and practise giving that "
                            "part the attention and reassurance that was missing. Change usually "
                            "comes slowly, through repetition.</p>"
                        ),
                    },
                    {
                        "question": "Is it safe?",
                        "answer": (
                            "<p>For most adults, with an experienced guide, it is. It can stir "
                            "up strong feelings, though, so it helps to have a few ways of "
                            "steadying yourself, and people you can turn to between sessions.</p>"
                            "<p>If you have lived through severe trauma, or are being treated for "
                            "a mental health condition, please talk with your therapist or doctor "
                            "before joining. Our circles are not a substitute for therapy or "
                            "crisis care. You can always sit out an exercise or take a break.</p>"
                        ),
                    },
                    {
                        "question": "What happens in a session?",
                        "answer": (
                            "<p>We begin with a short check-in and a reminder of the group's "
                            "agreements. The facilitator introduces the week's theme and guides "
                            "an exercise, such as a visualization, a letter to your younger "
                            "self or a brief meditation. There is time to reflect quietly, and "
                            "a chance to share in pairs or with the circle if you want to. We "
                            "finish by grounding ourselves, so you leave feeling settled.</p>"
                            "<p>You never have to share, and the exact practices differ a little "
                            "from one program to another.</p>"
                        ),
                    },
                    {
                        "question": "How many sessions will I need?",
                        "answer": (
                            "<p>There is no fixed number, and we cannot promise a result. Some "
                            "people notice a shift early on; for others the change is slower and "
                            "builds over a longer series. Our programs run for six to eight weeks "
                            "because practising regularly, between sessions as well, gives the "
                            "work time to settle. Many people carry on afterwards with their own "
                            "practice or with one-to-one therapy.</p>"
                        ),
                    },
                    {
                        "question": "Can I take part online?",
                        "answer": (
                            "<p>Yes. Some of our circles meet by video call, and others meet in "
                            "person in London. Online groups can feel just as warm and safe: "
                            "you join from a quiet, private space, ideally with headphones. "
                            "In-person groups suit people who prefer to be in the same room. "
                            "Each program page says how it meets.</p>"
                        ),
                    },
                    {
                        "question": "Will I feel anything during a session?",
                        "answer": (
                            "<p>Most people do, and it differs from person to person and week to "
                            "week. You might feel relief, tenderness, sadness, tiredness or a "
                            "sense of closeness to your younger self. Sometimes older, painful "
                            "feelings come to the surface. All of this is a normal part of the "
                            "work, and the facilitator will help you go slowly and steady "
                            "yourself. It is also fine to feel very little.</p>"
                        ),
                    },
                    {
                        "question": "Is it suitable for children?",
                        "answer": (
                            "<p>No. This approach is designed for adults and older teenagers, "
                            "because it involves returning to painful memories and feelings, "
                            "which is not right for young children. Our programs are for adults "
                            "aged 18 and over. If you are worried about a child, please speak "
                            "to your GP or a children's mental health service.</p>"
                        ),
                    },
                ],
            },
        },
        NOT_THERAPY_NOTE,
    ],
}

# Children of the home page, in menu order (the program index is created first).
STANDARD_PAGES = [ABOUT_PAGE, FAQ_PAGE]


# ---------------------------------------------------------------------------------------------
# People and places

FACILITATORS = [
    {
        "name": "Maya Okafor",
        "role": "Integrative psychotherapist",
        "bio": (
            "Maya has worked with adults for fifteen years, in the NHS and in private practice. "
            "She leads our online circles and is known for going slowly, leaving room for quiet, "
            "and never asking anyone to share more than they want to."
        ),
    },
    {
        "name": "Tom Hartley",
        "role": "Counsellor and group facilitator",
        "bio": (
            "Tom ran writing groups before training as a counsellor, and brings both to the "
            "journaling course. He lives in north London and hosts the in-person workshops, "
            "where he also makes the tea."
        ),
    },
]

VENUES = [
    {
        "name": "The Willow Room, Alder Yard",
        "address": "The Willow Room\nAlder Yard Community Centre\n12 Alder Yard\nLondon N1 4XY",
        "directions": (
            "Five minutes' walk from Highbury & Islington station (Victoria line and Overground): "
            "leave by the main exit, cross at the lights and take the second lane on the left. "
            "Ring the bell marked Willow Room; we are on the ground floor at the back, and "
            "someone will meet you in the garden lobby from ten minutes before the start."
        ),
        "access_notes": (
            "Step-free from the street, with an accessible toilet on the same floor. There is a "
            "small quiet room next door if you need a pause. No parking on site; the nearest "
            "blue-badge bays are on Alder Street."
        ),
        "map_url": "",
    },
]


# ---------------------------------------------------------------------------------------------
# Programs

_COMMON_SUITABLE_FOR = (
    "Adults (18 and over) who want a gentle, structured way to explore early experiences, at "
    "their own pace and alongside a small group. No previous experience of therapy is needed.\n"
    "Not suitable for children or young teenagers. If you are in crisis, or very unsettled just "
    "now, please look after yourself first; one-to-one support may suit you better for the "
    "moment."
)

_COMMON_SAFETY_NOTE = (
    "Inner child work can bring up strong feelings. You can skip any exercise, keep anything "
    "private and take a break at any time. This program is not a substitute for therapy or "
    "crisis care: if you have lived through severe trauma or are being treated for a mental "
    "health condition, please talk with your therapist or doctor before you join."
)

_SHARED_INTAKE = [
    {
        "type": "text",
        "value": {
            "question": "What brings you to this program?",
            "help_text": "A few lines is plenty; share only what you are comfortable sharing.",
            "required": True,
            "long_answer": True,
        },
    },
    {
        "type": "choice",
        "value": {
            "question": "Have you done inner child work or therapy before?",
            "help_text": "There is no right answer; it helps us pace the first session.",
            "choices": [
                "No, this is new to me",
                "A little, on my own (books, apps, journaling)",
                "Yes, with a therapist or counsellor",
            ],
            "required": True,
            "allow_several": False,
        },
    },
    {
        "type": "text",
        "value": {
            "question": "Is there anything that would help you take part comfortably?",
            "help_text": "For example access needs, or things you would rather we knew in advance.",
            "required": False,
            "long_answer": True,
        },
    },
    {
        "type": "consent",
        "value": {
            "statement": (
                "I understand this is a supportive group, not therapy or crisis care, and that I "
                "can pause or step out at any time."
            ),
            "required": True,
        },
    },
    {
        "type": "consent",
        "value": {
            "statement": (
                "If I am being treated for a mental health condition, or have lived through severe "
                "trauma, I have talked with my therapist or doctor about joining."
            ),
            "required": True,
        },
    },
]

ONLINE_CIRCLE = "meeting-your-inner-child-online"
REPARENTING_WORKSHOPS = "re-parenting-workshop-series"
JOURNALING_COURSE = "journaling-and-self-compassion"

PROGRAMS = [
    {
        "title": "Meeting your inner child: an 8-week online circle",
        "slug": ONLINE_CIRCLE,
        "summary": (
            "Eight evening sessions by video with a small, steady group. Week by week we get to "
            "know the younger part of ourselves through dialogue, imagery, re-parenting and "
            "journaling, and practise answering it with kindness."
        ),
        "body": [
            _heading("What the eight weeks hold"),
            _paragraph(
                "<p>Each week takes one practice and gives it time. We start by simply noticing "
                "the younger self and the needs it carried, then move through dialoguing, "
                "visualization, re-parenting and journaling, and close by gathering what you "
                "want to take with you.</p>"
                "<p>Sessions last ninety minutes. Between them there is a short, optional "
                "practice of ten to fifteen minutes a day.</p>"
            ),
            _heading("What you need"),
            _paragraph(
                "<ul><li>A quiet, private room and headphones</li>"
                "<li>A notebook and pen</li>"
                "<li>Something comforting within reach: a blanket, a warm drink</li></ul>"
            ),
            NOT_THERAPY_NOTE,
        ],
        "facilitators": ["Maya Okafor"],
        "format": "online",
        "default_price": Decimal("180.00"),
        "default_capacity": 12,
        "suitable_for": _COMMON_SUITABLE_FOR,
        "safety_note": _COMMON_SAFETY_NOTE,
        "intake_questions": _SHARED_INTAKE,
        "prep_lead_time_hours": 48,
        # Works with no Stripe keys: pay by bank transfer before the first evening.
        "allow_pay_later": True,
        "price_tiers": [
            {"label": "Supported place", "amount": Decimal("90.00"), "description": "If money is tight right now."},
            {"label": "Standard place", "amount": Decimal("180.00"), "description": "Covers the cost of running the circle."},
            {"label": "Supporter place", "amount": Decimal("240.00"), "description": "Helps fund a supported place for someone else."},
        ],
    },
    {
        "title": "Re-parenting yourself: a Saturday workshop series",
        "slug": REPARENTING_WORKSHOPS,
        "summary": (
            "Six Saturday mornings in a calm room in north London. We practise, in small and "
            "practical ways, becoming the caring, dependable adult our younger selves needed."
        ),
        "body": [
            _heading("Learning to look after yourself kindly"),
            _paragraph(
                "<p>Re-parenting means offering yourself what a good-enough parent offers a "
                "child: rest, comfort, encouragement and fair limits. Each workshop pairs a short "
                "guided exercise with time to try the idea out in everyday situations, so it "
                "feels usable on a Tuesday afternoon and not only in the room.</p>"
                "<p>We meet in person because some of this work is easier with the quiet "
                "company of others. Tea, and a half-time break, are included.</p>"
            ),
            NOT_THERAPY_NOTE,
        ],
        "facilitators": ["Tom Hartley", "Maya Okafor"],
        "format": "in_person",
        "default_price": Decimal("240.00"),
        "default_capacity": 10,
        "suitable_for": _COMMON_SUITABLE_FOR,
        "safety_note": _COMMON_SAFETY_NOTE,
        "intake_questions": _SHARED_INTAKE,
        "prep_lead_time_hours": 72,
        "allow_pay_later": True,
        "requires_screening": True,
    },
    {
        "title": "Writing to your younger self: journaling and self-compassion",
        "slug": JOURNALING_COURSE,
        "summary": (
            "A free six-week course you can join online or in the room in London. Short writing "
            "prompts, letters to your younger self and simple self-compassion practices, at a "
            "pace that leaves space to breathe."
        ),
        "body": [
            _heading("Why writing helps"),
            _paragraph(
                "<p>Putting things on paper slows them down. In this course we use journaling as "
                "a gentle way in: noticing what comes up, writing to and from your younger self, "
                "and finding words of encouragement that sound like you.</p>"
                "<p>Part of the group meets in the Willow Room and part joins by video; everyone "
                "writes together and nobody has to read aloud.</p>"
            ),
            NOT_THERAPY_NOTE,
        ],
        "facilitators": ["Tom Hartley"],
        "format": "hybrid",
        "default_price": Decimal("0.00"),
        "default_capacity": 16,
        "suitable_for": _COMMON_SUITABLE_FOR,
        "safety_note": _COMMON_SAFETY_NOTE,
        "intake_questions": _SHARED_INTAKE[:2] + _SHARED_INTAKE[3:],
        "prep_lead_time_hours": 24,
    },
]


# ---------------------------------------------------------------------------------------------
# Cohorts and their sessions
#
# "pattern" holds the `programs.schedule.WeeklyPattern` fields; "venue" is a venue name;
# "topics" are given to the sessions in date order; "materials" maps a session number
# (1 = the first) to the materials of that session. Price and capacity default to the
# program's.

_SAMARITANS_NOTE = {
    "title": "If you need support between sessions",
    "note": (
        "This work can stir things up in the days after a session. Be gentle with yourself, "
        "and if you need to talk to someone, the Samaritans listen at any hour on 116 123 "
        "(UK and Ireland)."
    ),
    "url": "https://www.samaritans.org/",
}

COHORTS = [
    {
        # Crosses the UK clock change on Sunday 28 March 2027: 19:00 stays 19:00 London time.
        "program": ONLINE_CIRCLE,
        "title": "Spring 2027 · Tuesday evenings (London time)",
        "status": "open",
        "mode": "online",
        "time_zone": "Europe/London",
        "start_date": date(2027, 3, 9),
        "start_time": time(19, 0),
        "end_time": time(20, 30),
        "pattern": {"every_weeks": 1, "session_count": 8},
        "meeting_url": "https://meet.example.org/icc-spring-tuesdays",
        "topics": [
            "Meeting your inner child",
            "What your younger self needed",
            "Dialoguing",
            "Visualization",
            "Re-parenting",
            "Journaling",
            "Meditation and self-compassion",
            "Closing circle",
        ],
        "materials": {
            1: [
                {
                    "title": "Before we begin",
                    "note": (
                        "Find a quiet spot where you will not be interrupted for ninety minutes, "
                        "and keep a notebook nearby. If you can, bring a photo of yourself as a "
                        "child; you will not be asked to show it."
                    ),
                },
                _SAMARITANS_NOTE,
            ],
            3: [
                {
                    "title": "A first letter",
                    "note": (
                        "If you feel like it, write a few lines to your younger self before the "
                        "session, starting with “I remember…”. Keep it to yourself."
                    ),
                },
            ],
        },
    },
    {
        # Crosses the US clock change on Sunday 14 March 2027: 18:30 stays 18:30 New York time.
        "program": ONLINE_CIRCLE,
        "title": "Spring 2027 · Thursday evenings (New York time)",
        "status": "open",
        "mode": "online",
        "time_zone": "America/New_York",
        "start_date": date(2027, 2, 25),
        "start_time": time(18, 30),
        "end_time": time(20, 0),
        "pattern": {"every_weeks": 1, "session_count": 8},
        "meeting_url": "https://meet.example.org/icc-spring-thursdays",
        "topics": [
            "Meeting your inner child",
            "What your younger self needed",
            "Dialoguing",
            "Visualization",
            "Re-parenting",
            "Journaling",
            "Meditation and self-compassion",
            "Closing circle",
        ],
        "materials": {
            1: [
                {
                    "title": "If you need support between sessions",
                    "note": (
                        "Be gentle with yourself in the days after a session. In the US you can "
                        "call or text 988 at any hour to talk to someone."
                    ),
                    "url": "https://988lifeline.org/",
                },
            ],
        },
    },
    {
        # Weekly until 27 February, with a break for half-term on 13 February: six sessions.
        "program": REPARENTING_WORKSHOPS,
        "title": "Winter 2027 · Saturday mornings",
        "status": "open",
        "mode": "in_person",
        "time_zone": "Europe/London",
        "start_date": date(2027, 1, 16),
        "start_time": time(10, 0),
        "end_time": time(12, 30),
        "pattern": {"every_weeks": 1, "last_date": date(2027, 2, 27), "skip_dates": (date(2027, 2, 13),)},
        "venue": "The Willow Room, Alder Yard",
        "topics": [
            "Meeting your inner child",
            "Needs that went unmet",
            "Re-parenting: the kind inner adult",
            "Comfort and limits",
            "Re-parenting in everyday life",
            "Closing circle",
        ],
        "materials": {
            1: [
                {
                    "title": "What to bring",
                    "note": (
                        "Comfortable clothes, a notebook and a water bottle. Tea and biscuits "
                        "are provided; tell us about any dietary needs when you book."
                    ),
                },
                _SAMARITANS_NOTE,
            ],
        },
    },
    {
        "program": JOURNALING_COURSE,
        "title": "Spring 2027 · Wednesday evenings",
        "status": "open",
        "mode": "hybrid",
        "time_zone": "Europe/London",
        "start_date": date(2027, 4, 14),
        "start_time": time(18, 30),
        "end_time": time(20, 0),
        "pattern": {"every_weeks": 1, "session_count": 6},
        "venue": "The Willow Room, Alder Yard",
        "meeting_url": "https://meet.example.org/icc-journaling-wednesdays",
        "topics": [
            "Meeting your inner child",
            "Journaling: noticing what comes up",
            "Dialoguing on the page",
            "Self-compassion",
            "Words that feel true",
            "Closing circle",
        ],
        "materials": {
            1: [
                {
                    "title": "A notebook of your own",
                    "note": (
                        "Any notebook will do. Some people like to keep one just for this "
                        "course, so it can stay private."
                    ),
                },
            ],
        },
    },
]


# ---------------------------------------------------------------------------------------------
# Demo accounts (passwords come from the environment; the defaults are for a laptop only)

ADMIN_ACCOUNT = {
    "username": "admin",
    "email": "admin@innerchildcircles.example",
    "password_env": "DEMO_ADMIN_PASSWORD",
    "default_password": "admin-demo-pass",
    "label": "Site owner (superuser)",
}

FACILITATOR_ACCOUNT = {
    "username": "facilitator",
    "email": "maya@innerchildcircles.example",
    "first_name": "Maya",
    "last_name": "Okafor",
    "password_env": "DEMO_FACILITATOR_PASSWORD",
    "default_password": "facilitator-demo-pass",
    "label": "Facilitator",
    # Linked to this Facilitator snippet (the first one above).
    "facilitator": FACILITATORS[0]["name"],
}

FACILITATORS_GROUP = {
    "name": "Facilitators",
    # (app_label, codename)
    "permissions": [("wagtailadmin", "access_admin")]
    + [
        ("programs", f"{action}_{model}")
        for model in ("cohort", "session", "sessionmaterial", "facilitator", "venue")
        for action in ("add", "change", "view")
    ]
    # Their own cohorts' bookings (approve/decline applications), emails and messages; staff
    # actions that move money stay with the site owner in practice, see programs/access.py.
    + [("bookings", codename) for codename in (
        "view_booking", "change_booking", "view_emaillog", "view_cohortmessage", "add_cohortmessage",
        "view_payment",
    )],
    # Wagtail page permissions on the program index: "add" creates programs (and edits the
    # drafts one owns). Change and publish come from leading a program, program by program
    # (programs.permissions.ProgramPagePermissionPolicy); never on the index itself.
    "page_permissions": ["add_page"],
}
